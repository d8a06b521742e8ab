// HDF5 grasp files (io/grasp_file.hpp) as eval, metrics, view and resumed generate runs read them. The input
// is a list of edits made with the HDF5 API to a valid grasp file (drop or retype a dataset or attribute,
// reshape, add extras, values of any bit pattern, NaN included), then optionally a truncation; the file is
// then read, and one that reads must write back. So the reader's own checks of shapes, types and attributes
// are fuzzed on HDF5 files of any structure. Random bytes in HDF5 metadata are not: libhdf5 1.10.8 itself
// crashes on some damaged files within seconds of fuzzing (docs/hardening.md, fuzz/upstream/hdf5/).
#include <graspqp/io/grasp_file.hpp>

#include <cstring>

#include "fuzz.hpp"
#include "io/hdf5.hpp"

namespace {

using namespace graspqp;

struct Bytes {
  const uint8_t* p;
  size_t n;
  uint8_t next() { return n ? (--n, *p++) : 0; }
};

const char* const kNames[] = {"root_pose",      "joints",         "energy",          "energy_terms",
                              "contact_idx",    "contact_points", "contact_normals", "contact_links",
                              "contact_forces", "closing_delta",  "valid",           "format",
                              "format_version", "hand",           "scale",           "object_center",
                              "seed",           "parameters",     "joint_names",     "names"};

GraspDataset seed_dataset(Bytes& in) {
  const int N = in.next() % 4, dof = in.next() % 3, n = in.next() % 3, k = in.next() % 3;
  GraspDataset d;
  d.root_pose.setConstant(N, 7, 0.5);
  d.joints.setConstant(N, dof, 0.1);
  for (int j = 0; j < dof; ++j) d.joint_names.push_back("j" + std::to_string(j));
  d.energy.setConstant(N, 1.0);
  d.energy_terms.setConstant(N, k, 2.0);
  for (int t = 0; t < k; ++t) d.energy_term_names.push_back("t" + std::to_string(t));
  d.contact_idx.setConstant(N, n, 1);
  d.contact_points.assign(N * n * 3, 0.01);
  d.contact_normals.assign(N * n * 3, 0.0);
  d.contact_links.assign(N * n, "link");
  d.contact_forces.setConstant(N, n, 1.0);
  d.closing_delta.setConstant(N, dof, 0.0);
  d.extra["valid"] = Eigen::VectorXd::Ones(N);
  d.hand = "hand";
  d.parameters_json = "{}";
  return d;
}

// One edit of the file, chosen by the input.
void edit(H5::H5File& f, Bytes& in) {
  using H5::PredType;
  H5::Group root = f.openGroup("/");
  const std::string name = kNames[in.next() % (sizeof kNames / sizeof *kNames)];
  const uint8_t op = in.next() % 6;
  const std::vector<hsize_t> dims = [&] {
    std::vector<hsize_t> d(in.next() % 4);
    for (auto& x : d) x = in.next() % 5;
    return d;
  }();
  hsize_t count = 1;
  for (auto x : dims) count *= x;
  std::vector<double> values(count);
  for (auto& v : values) {  // any bit pattern: NaN, infinities, denormals
    std::uint64_t bits = 0;
    for (int b = 0; b < (in.next() % 2 ? 8 : 1); ++b) bits = bits << 8 | in.next();
    std::memcpy(&v, &bits, sizeof v);
  }
  std::vector<std::string> strings(count, std::string(in.next() % 4, 'a'));
  H5::H5Object* holder = &root;
  H5::DataSet ds;
  if (op >= 4 && root.nameExists("joints")) {  // attributes of a dataset (joint_names, names)
    ds = f.openDataSet(in.next() % 2 ? "joints" : "energy_terms");
    holder = &ds;
  }
  switch (op) {
    case 0:  // drop a dataset or attribute
      if (root.nameExists(name))
        f.unlink(name);
      else if (root.attrExists(name))
        root.removeAttr(name);
      break;
    case 1:  // a numeric dataset of another shape
    case 2:  // a string dataset
      if (root.nameExists(name)) f.unlink(name);
      if (op == 1)
        hdf5::write_numeric_dataset(f, name, dims, PredType::IEEE_F64LE, PredType::NATIVE_DOUBLE, values.data());
      else
        hdf5::write_string_dataset(f, name, dims, strings);
      break;
    case 3:  // a root attribute of another type or shape
    case 4:
    case 5:  // ... or of a dataset
      if (holder->attrExists(name)) holder->removeAttr(name);
      if (op == 3 || (op == 5 && in.next() % 2))
        hdf5::write_numeric_attribute(*holder, name, in.next() % 2 ? PredType::STD_I32LE : PredType::IEEE_F64LE,
                                      PredType::NATIVE_DOUBLE, values.data(), dims);
      else if (dims.empty())
        hdf5::write_string_attribute(*holder, name, strings.empty() ? "" : strings[0]);
      else
        hdf5::write_string_array_attribute(*holder, name, strings);
      break;
  }
}

}  // namespace

GRASPQP_FUZZ_TARGET {
  Bytes in{data, size};
  const auto path = fuzz::scratch_dir() / "structure.h5";
  write_grasp_file(path, seed_dataset(in));
  {
    std::lock_guard lock(hdf5::mutex());
    hdf5::silence_errors();
    try {
      H5::H5File f(path.string(), H5F_ACC_RDWR);
      for (int e = 0; e < 8 && in.n > 0; ++e) edit(f, in);
    } catch (const H5::Exception&) {
      // an edit HDF5 refuses (e.g. a name that exists as another kind): read what was made
    }
  }
  if (in.n > 0 && in.next() % 8 == 0) {  // truncated, as by a copy that stopped
    std::error_code ec;
    const auto full = std::filesystem::file_size(path, ec);
    std::filesystem::resize_file(path, full * in.next() / 256, ec);
  }
  fuzz::accepts([&] { read_grasp_file_attributes(path); });
  GraspDataset d;
  if (!fuzz::accepts([&] { d = read_grasp_file(path); })) return 0;
  fuzz::accepts([&] { write_grasp_file(fuzz::scratch_dir() / "copy.h5", d); });  // refuses NaN, else writes
  return 0;
}
