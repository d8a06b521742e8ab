#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>

#include "io/hdf5.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

namespace graspqp {

namespace fs = std::filesystem;
using namespace hdf5;

namespace {

constexpr const char* kFormatName = "graspqp-grasps";
constexpr int32_t kFormatVersion = 1;

const std::set<std::string>& standard_dataset_names() {
  static const std::set<std::string> names = {"root_pose",      "joints",         "energy",          "energy_terms",
                                              "contact_idx",    "contact_points", "contact_normals", "contact_links",
                                              "contact_forces", "closing_delta",  "pregrasp_joints", "squeeze_joints"};
  return names;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? ", " : "") << dims[i];
  if (dims.size() == 1) s << ",";
  s << ")";
  return s.str();
}

// No NaN or infinity in a grasp file, written or read: "<field> holds a non-finite value (entry i)", or "".
std::string non_finite_value(const GraspDataset& d) {
  std::string where;
  auto check = [&](const std::string& name, const double* values, size_t count) {
    for (size_t i = 0; i < count && where.empty(); ++i)
      if (!std::isfinite(values[i])) where = name + " holds a non-finite value (entry " + std::to_string(i) + ")";
  };
  check("root_pose", d.root_pose.data(), d.root_pose.size());
  check("joints", d.joints.data(), d.joints.size());
  check("energy", d.energy.data(), d.energy.size());
  check("energy_terms", d.energy_terms.data(), d.energy_terms.size());
  check("contact_points", d.contact_points.data(), d.contact_points.size());
  check("contact_normals", d.contact_normals.data(), d.contact_normals.size());
  check("contact_forces", d.contact_forces.data(), d.contact_forces.size());
  check("closing_delta", d.closing_delta.data(), d.closing_delta.size());
  check("pregrasp_joints", d.pregrasp_joints.data(), d.pregrasp_joints.size());
  check("squeeze_joints", d.squeeze_joints.data(), d.squeeze_joints.size());
  for (const auto& [name, values] : d.extra) check("extra dataset '" + name + "'", values.data(), values.size());
  check("attribute 'scale'", &d.scale, 1);
  check("attribute 'object_center'", d.object_center.data(), 3);
  return where;
}

// All shape checks before anything touches the disk, so a bad dataset never replaces a good file.
void validate(const fs::path& path, const GraspDataset& d) {
  const auto n_grasps = static_cast<size_t>(d.n_grasps());
  const auto dof = static_cast<size_t>(d.dof());
  const auto n_contacts = static_cast<size_t>(d.n_contacts());
  const auto n_terms = static_cast<size_t>(d.energy_terms.cols());
  auto fail = [&](const std::string& what) {
    throw Error(path.string() + ": cannot write grasp file: " + what + " (N=" + std::to_string(n_grasps) +
                " grasps from root_pose, DOF=" + std::to_string(dof) + " from joints, n=" + std::to_string(n_contacts) +
                " contacts from contact_idx)");
  };
  auto check_rows_cols = [&](const char* name, size_t rows, size_t cols, size_t want_rows, size_t want_cols) {
    if (rows != want_rows || cols != want_cols)
      fail(std::string(name) + " is " + std::to_string(rows) + "x" + std::to_string(cols) + ", expected " +
           std::to_string(want_rows) + "x" + std::to_string(want_cols));
  };
  auto check_size = [&](const char* name, size_t size, size_t want) {
    if (size != want)
      fail(std::string(name) + " has " + std::to_string(size) + " entries, expected " + std::to_string(want));
  };
  check_rows_cols("joints", d.joints.rows(), d.joints.cols(), n_grasps, dof);
  check_size("joint_names", d.joint_names.size(), dof);
  check_size("energy", d.energy.size(), n_grasps);
  check_rows_cols("energy_terms", d.energy_terms.rows(), d.energy_terms.cols(), n_grasps, n_terms);
  check_size("energy_term_names", d.energy_term_names.size(), n_terms);
  check_rows_cols("contact_idx", d.contact_idx.rows(), d.contact_idx.cols(), n_grasps, n_contacts);
  check_size("contact_points", d.contact_points.size(), n_grasps * n_contacts * 3);
  check_size("contact_normals", d.contact_normals.size(), n_grasps * n_contacts * 3);
  check_size("contact_links", d.contact_links.size(), n_grasps * n_contacts);
  check_rows_cols("contact_forces", d.contact_forces.rows(), d.contact_forces.cols(), n_grasps, n_contacts);
  check_rows_cols("closing_delta", d.closing_delta.rows(), d.closing_delta.cols(), n_grasps, dof);
  if (d.pregrasp_joints.size() > 0 || d.squeeze_joints.size() > 0) {  // optional, but both or neither
    check_rows_cols("pregrasp_joints", d.pregrasp_joints.rows(), d.pregrasp_joints.cols(), n_grasps, dof);
    check_rows_cols("squeeze_joints", d.squeeze_joints.rows(), d.squeeze_joints.cols(), n_grasps, dof);
  }
  for (const auto& [name, values] : d.extra) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
      fail("extra dataset name '" + name + "' is not a plain HDF5 name");
    if (standard_dataset_names().count(name)) fail("extra dataset '" + name + "' clashes with a standard dataset");
    check_size(("extra dataset '" + name + "'").c_str(), values.size(), n_grasps);
  }
  if (const std::string where = non_finite_value(d); !where.empty())
    throw Error(path.string() + ": cannot write grasp file: " + where);
}

void write_contents(H5::H5File& file, const GraspDataset& d) {
  using H5::PredType;
  const hsize_t N = d.n_grasps(), dof = d.dof(), n = d.n_contacts(), k = d.energy_terms.cols();
  const auto& f64 = PredType::IEEE_F64LE;
  const auto& mem_f64 = PredType::NATIVE_DOUBLE;

  write_numeric_dataset(file, "root_pose", {N, 7}, f64, mem_f64, d.root_pose.data());
  write_numeric_dataset(file, "joints", {N, dof}, f64, mem_f64, d.joints.data());
  {
    H5::DataSet joints = file.openDataSet("joints");
    write_string_array_attribute(joints, "joint_names", d.joint_names);
  }
  write_numeric_dataset(file, "energy", {N}, f64, mem_f64, d.energy.data());
  write_numeric_dataset(file, "energy_terms", {N, k}, f64, mem_f64, d.energy_terms.data());
  {
    H5::DataSet terms = file.openDataSet("energy_terms");
    write_string_array_attribute(terms, "names", d.energy_term_names);
  }
  write_numeric_dataset(file, "contact_idx", {N, n}, PredType::STD_I32LE, PredType::NATIVE_INT32, d.contact_idx.data());
  write_numeric_dataset(file, "contact_points", {N, n, 3}, f64, mem_f64, d.contact_points.data());
  write_numeric_dataset(file, "contact_normals", {N, n, 3}, f64, mem_f64, d.contact_normals.data());
  write_string_dataset(file, "contact_links", {N, n}, d.contact_links);
  write_numeric_dataset(file, "contact_forces", {N, n}, f64, mem_f64, d.contact_forces.data());
  write_numeric_dataset(file, "closing_delta", {N, dof}, f64, mem_f64, d.closing_delta.data());
  if (d.pregrasp_joints.size() > 0 || d.squeeze_joints.size() > 0) {
    write_numeric_dataset(file, "pregrasp_joints", {N, dof}, f64, mem_f64, d.pregrasp_joints.data());
    write_numeric_dataset(file, "squeeze_joints", {N, dof}, f64, mem_f64, d.squeeze_joints.data());
  }
  for (const auto& [name, values] : d.extra) write_numeric_dataset(file, name, {N}, f64, mem_f64, values.data());

  H5::Group root = file.openGroup("/");
  write_string_attribute(root, "format", kFormatName);
  write_numeric_attribute(root, "format_version", PredType::STD_I32LE, PredType::NATIVE_INT32, &kFormatVersion, {});
  write_string_attribute(root, "hand", d.hand);
  write_string_attribute(root, "grasp_type", d.grasp_type);
  write_string_attribute(root, "energy", d.energy_name);
  write_string_attribute(root, "object_path", d.object_path);
  write_string_attribute(root, "object_sha256", d.object_sha256);
  write_numeric_attribute(root, "scale", f64, mem_f64, &d.scale, {});
  write_numeric_attribute(root, "object_center", f64, mem_f64, d.object_center.data(), {3});
  write_string_attribute(root, "parameters", d.parameters_json);
  write_numeric_attribute(root, "seed", PredType::STD_U64LE, PredType::NATIVE_UINT64, &d.seed, {});
  write_string_attribute(root, "program_version", d.program_version);
}

// ---- reading --------------------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(const fs::path& path)
      : path_(checked_hdf5_path(path)), file_(path.string(), H5F_ACC_RDONLY), root_(file_.openGroup("/")) {
    if (!root_.attrExists("format")) fail("not a graspqp grasp file (missing attribute 'format')");
    const std::string format = string_attribute(root_, "format");
    if (format != kFormatName)
      fail("not a graspqp grasp file (format is '" + format + "', expected '" + kFormatName + "')");
    if (!root_.attrExists("format_version")) fail("not a graspqp grasp file (missing attribute 'format_version')");
    const auto version = numeric_attribute(root_, "format_version");
    if (version.size() != 1 || version[0] != kFormatVersion)
      fail("unsupported format_version " +
           (version.empty() ? std::string("?") : std::to_string(static_cast<long long>(version[0]))) +
           " (this build reads version " + std::to_string(kFormatVersion) + ")");
  }

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path_.string() + ": " + problem); }

  // Friendlier messages than HDF5's for the common mistakes, checked before HDF5 opens the file.
  static const fs::path& checked_hdf5_path(const fs::path& path) {
    auto fail = [&](const std::string& problem) { throw Error(path.string() + ": " + problem); };
    std::error_code ec;
    if (!fs::exists(path, ec)) fail("file not found");
    if (fs::is_directory(path, ec)) fail("is a directory, not a grasp file");
    if (!H5::H5File::isHdf5(path.string())) fail("not an HDF5 file (so not a graspqp grasp file)");
    return path;
  }

  void read_attributes(GraspDataset& d) {
    d.hand = string_attribute(root_, "hand");
    d.grasp_type = string_attribute(root_, "grasp_type");
    d.energy_name = string_attribute(root_, "energy");
    d.object_path = string_attribute(root_, "object_path");
    d.object_sha256 = string_attribute(root_, "object_sha256");
    d.program_version = string_attribute(root_, "program_version");
    d.parameters_json = string_attribute(root_, "parameters");
    const auto scale = numeric_attribute(root_, "scale");
    if (scale.size() != 1) fail("attribute 'scale' must be a single number");
    d.scale = scale[0];
    const auto center = numeric_attribute(root_, "object_center");
    if (center.size() != 3) fail("attribute 'object_center' must have 3 numbers");
    d.object_center = Eigen::Vector3d(center[0], center[1], center[2]);
    require_attribute(root_, "seed");
    H5::Attribute seed = root_.openAttribute("seed");
    if (seed.getTypeClass() != H5T_INTEGER || seed.getSpace().getSimpleExtentNpoints() != 1)
      fail("attribute 'seed' must be a single integer");
    seed.read(H5::PredType::NATIVE_UINT64, &d.seed);
  }

  void read_datasets(GraspDataset& d) {
    const auto root_pose_dims = dataset_dims("root_pose", 2);
    if (root_pose_dims[1] != 7)
      fail("dataset 'root_pose' has shape " + shape_text(root_pose_dims) + ", expected (N, 7)");
    const hsize_t N = root_pose_dims[0];
    const hsize_t dof = dataset_dims("joints", 2)[1];
    const hsize_t n = dataset_dims("contact_idx", 2)[1];
    const hsize_t k = dataset_dims("energy_terms", 2)[1];

    d.root_pose.resize(N, 7);
    read_numeric("root_pose", {N, 7}, H5::PredType::NATIVE_DOUBLE, d.root_pose.data());
    d.joints.resize(N, dof);
    read_numeric("joints", {N, dof}, H5::PredType::NATIVE_DOUBLE, d.joints.data());
    d.joint_names = string_array_attribute("joints", "joint_names", dof);
    d.energy.resize(N);
    read_numeric("energy", {N}, H5::PredType::NATIVE_DOUBLE, d.energy.data());
    d.energy_terms.resize(N, k);
    read_numeric("energy_terms", {N, k}, H5::PredType::NATIVE_DOUBLE, d.energy_terms.data());
    d.energy_term_names = string_array_attribute("energy_terms", "names", k);
    d.contact_idx.resize(N, n);
    read_numeric("contact_idx", {N, n}, H5::PredType::NATIVE_INT32, d.contact_idx.data(), /*integer_only=*/true);
    d.contact_points.resize(N * n * 3);
    read_numeric("contact_points", {N, n, 3}, H5::PredType::NATIVE_DOUBLE, d.contact_points.data());
    d.contact_normals.resize(N * n * 3);
    read_numeric("contact_normals", {N, n, 3}, H5::PredType::NATIVE_DOUBLE, d.contact_normals.data());
    d.contact_links = string_dataset("contact_links", {N, n});
    d.contact_forces.resize(N, n);
    read_numeric("contact_forces", {N, n}, H5::PredType::NATIVE_DOUBLE, d.contact_forces.data());
    d.closing_delta.resize(N, dof);
    read_numeric("closing_delta", {N, dof}, H5::PredType::NATIVE_DOUBLE, d.closing_delta.data());
    // Optional poses (files of earlier versions have none): both or neither.
    const bool has_pregrasp = root_.nameExists("pregrasp_joints"), has_squeeze = root_.nameExists("squeeze_joints");
    if (has_pregrasp != has_squeeze) fail("has only one of 'pregrasp_joints' and 'squeeze_joints'");
    d.pregrasp_joints.resize(has_pregrasp ? N : 0, has_pregrasp ? dof : 0);
    d.squeeze_joints.resize(has_squeeze ? N : 0, has_squeeze ? dof : 0);
    if (has_pregrasp) {
      read_numeric("pregrasp_joints", {N, dof}, H5::PredType::NATIVE_DOUBLE, d.pregrasp_joints.data());
      read_numeric("squeeze_joints", {N, dof}, H5::PredType::NATIVE_DOUBLE, d.squeeze_joints.data());
    }

    // Any other 1-D numeric dataset of length N at the root is a per-grasp extra. Other objects
    // (groups, differently shaped datasets) are not part of format version 1 and are ignored.
    d.extra.clear();
    for (hsize_t i = 0; i < root_.getNumObjs(); ++i) {
      const std::string name = root_.getObjnameByIdx(i);
      if (standard_dataset_names().count(name) || root_.childObjType(name) != H5O_TYPE_DATASET) continue;
      H5::DataSet ds = root_.openDataSet(name);
      const H5T_class_t cls = ds.getTypeClass();
      if (cls != H5T_FLOAT && cls != H5T_INTEGER) continue;
      const H5::DataSpace space = ds.getSpace();
      if (space.getSimpleExtentNdims() != 1) continue;
      hsize_t len = 0;
      space.getSimpleExtentDims(&len);
      if (len != N) continue;
      Eigen::VectorXd values(N);
      if (N > 0) ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
      d.extra.emplace(name, std::move(values));
    }
  }

 private:
  void require_attribute(const H5::H5Object& obj, const std::string& name, const std::string& owner = "") const {
    if (!obj.attrExists(name))
      fail("not a graspqp grasp file (missing attribute '" + name + "'" +
           (owner.empty() ? "" : " of dataset '" + owner + "'") + ")");
  }

  // Reads string data of either HDF5 flavour (variable-length as we write, or fixed-length as some
  // other tools write); read_raw(memory_type, buffer) performs the actual attribute/dataset read.
  std::vector<std::string> read_strings(const H5::StrType& file_type, size_t count,
                                        const std::function<void(const H5::DataType&, void*)>& read_raw) const {
    std::vector<std::string> out;
    out.reserve(count);
    if (count == 0) return out;
    if (file_type.isVariableStr()) {
      std::vector<char*> ptrs(count, nullptr);
      read_raw(file_type, ptrs.data());
      for (char* p : ptrs) {
        out.emplace_back(p ? p : "");
        if (p) H5free_memory(p);
      }
    } else {
      const size_t len = file_type.getSize();
      std::vector<char> buf(len * count);
      read_raw(file_type, buf.data());
      for (size_t i = 0; i < count; ++i) out.emplace_back(buf.data() + i * len, strnlen(buf.data() + i * len, len));
    }
    return out;
  }

  std::vector<std::string> string_attribute_values(const H5::H5Object& obj, const std::string& name,
                                                   const std::string& owner) const {
    require_attribute(obj, name, owner);
    H5::Attribute attr = obj.openAttribute(name);
    if (attr.getTypeClass() != H5T_STRING)
      fail("attribute '" + name + "'" + (owner.empty() ? "" : " of dataset '" + owner + "'") + " is not a string");
    const auto count = static_cast<size_t>(attr.getSpace().getSimpleExtentNpoints());
    return read_strings(attr.getStrType(), count, [&](const H5::DataType& type, void* buf) { attr.read(type, buf); });
  }

  std::string string_attribute(const H5::H5Object& obj, const std::string& name) const {
    const auto values = string_attribute_values(obj, name, "");
    if (values.size() != 1) fail("attribute '" + name + "' must be a single string");
    return values[0];
  }

  std::vector<std::string> string_array_attribute(const std::string& dataset, const std::string& name,
                                                  size_t expected) {
    H5::DataSet ds = root_.openDataSet(dataset);
    auto values = string_attribute_values(ds, name, dataset);
    if (values.size() != expected)
      fail("attribute '" + name + "' of dataset '" + dataset + "' has " + std::to_string(values.size()) +
           " names, expected " + std::to_string(expected));
    return values;
  }

  std::vector<double> numeric_attribute(const H5::H5Object& obj, const std::string& name) const {
    require_attribute(obj, name);
    H5::Attribute attr = obj.openAttribute(name);
    const H5T_class_t cls = attr.getTypeClass();
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail("attribute '" + name + "' is not numeric");
    std::vector<double> values(static_cast<size_t>(attr.getSpace().getSimpleExtentNpoints()));
    if (!values.empty()) attr.read(H5::PredType::NATIVE_DOUBLE, values.data());
    return values;
  }

  H5::DataSet open_dataset(const std::string& name) const {
    if (!root_.nameExists(name) || root_.childObjType(name) != H5O_TYPE_DATASET)
      fail("not a graspqp grasp file (missing dataset '" + name + "')");
    return root_.openDataSet(name);
  }

  std::vector<hsize_t> dataset_dims(const std::string& name, int expected_rank) const {
    H5::DataSet ds = open_dataset(name);
    const H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(rank > 0 ? rank : 0);
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    if (rank != expected_rank)
      fail("dataset '" + name + "' has shape " + shape_text(dims) + ", expected " + std::to_string(expected_rank) +
           " dimensions");
    return dims;
  }

  void expect_shape(const std::string& name, const std::vector<hsize_t>& expected) const {
    const auto dims = dataset_dims(name, static_cast<int>(expected.size()));
    if (dims != expected)
      fail("dataset '" + name + "' has shape " + shape_text(dims) + ", expected " + shape_text(expected) +
           " (N from root_pose, DOF from joints, n from contact_idx)");
  }

  void read_numeric(const std::string& name, const std::vector<hsize_t>& shape, const H5::PredType& memory_type,
                    void* out, bool integer_only = false) const {
    expect_shape(name, shape);
    H5::DataSet ds = open_dataset(name);
    const H5T_class_t cls = ds.getTypeClass();
    if (cls != H5T_INTEGER && (integer_only || cls != H5T_FLOAT))
      fail("dataset '" + name + "' is not " + (integer_only ? "an integer" : "a numeric") + " array");
    hsize_t count = 1;
    for (auto s : shape) count *= s;
    if (count > 0) ds.read(out, memory_type);
  }

  std::vector<std::string> string_dataset(const std::string& name, const std::vector<hsize_t>& shape) const {
    expect_shape(name, shape);
    H5::DataSet ds = open_dataset(name);
    if (ds.getTypeClass() != H5T_STRING) fail("dataset '" + name + "' is not a string array");
    hsize_t count = 1;
    for (auto s : shape) count *= s;
    return read_strings(ds.getStrType(), count, [&](const H5::DataType& type, void* buf) { ds.read(buf, type); });
  }

  fs::path path_;
  H5::H5File file_;
  H5::Group root_;
};

template <typename Fn>
GraspDataset read_with(const fs::path& path, Fn&& fn) {
  std::lock_guard lock(hdf5::mutex());
  hdf5::silence_errors();
  try {
    Reader reader(path);
    GraspDataset d;
    fn(reader, d);
    return d;
  } catch (const H5::Exception& e) {
    throw Error(path.string() + ": cannot read grasp file: " + hdf5::describe(e));
  }
}

}  // namespace

void write_grasp_file(const fs::path& path, const GraspDataset& d) {
  validate(path, d);
  std::string image;
  {
    std::lock_guard lock(hdf5::mutex());
    hdf5::silence_errors();
    try {
      image = hdf5::file_image([&](H5::H5File& file) { write_contents(file, d); });
    } catch (const H5::Exception& e) {
      throw Error(path.string() + ": cannot write grasp file: " + hdf5::describe(e));
    }
  }
  write_text_atomically(path, image);
}

GraspDataset read_grasp_file(const fs::path& path) {
  GraspDataset d = read_with(path, [](Reader& r, GraspDataset& d) {
    r.read_attributes(d);
    r.read_datasets(d);
  });
  if (const std::string where = non_finite_value(d); !where.empty()) throw Error(path.string() + ": " + where);
  return d;
}

GraspDataset read_grasp_file_attributes(const fs::path& path) {
  return read_with(path, [](Reader& r, GraspDataset& d) { r.read_attributes(d); });
}

}  // namespace graspqp
