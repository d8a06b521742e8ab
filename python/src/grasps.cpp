// Grasp files (docs/format.md) as dicts of numpy arrays: read_grasps / write_grasps.
#include <graspqp/io/grasp_file.hpp>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

template <class Matrix>
ArrayD matrix_array(const Matrix& m, std::vector<py::ssize_t> shape) {
  ArrayD a(shape);
  std::copy(m.data(), m.data() + m.size(), a.mutable_data());
  return a;
}

py::dict read_grasps(const py::object& path_obj) {
  const std::string path = path_string(path_obj, "path");
  GraspDataset d;
  {
    ReleaseGil release;
    d = read_grasp_file(path);
  }
  const py::ssize_t N = d.n_grasps(), dof = d.dof(), n = d.n_contacts(), k = d.energy_terms.cols();
  py::dict out;
  out["root_pose"] = matrix_array(d.root_pose, {N, 7});
  out["joints"] = matrix_array(d.joints, {N, dof});
  out["energy"] = matrix_array(d.energy, {N});
  out["energy_terms"] = matrix_array(d.energy_terms, {N, k});
  ArrayI idx({N, n});
  std::copy(d.contact_idx.data(), d.contact_idx.data() + d.contact_idx.size(), idx.mutable_data());
  out["contact_idx"] = idx;
  out["contact_points"] =
      matrix_array(Eigen::Map<const Eigen::VectorXd>(d.contact_points.data(), d.contact_points.size()), {N, n, 3});
  out["contact_normals"] =
      matrix_array(Eigen::Map<const Eigen::VectorXd>(d.contact_normals.data(), d.contact_normals.size()), {N, n, 3});
  py::list links;
  for (const auto& s : d.contact_links) links.append(s);
  out["contact_links"] = py::module_::import("numpy").attr("array")(links, "dtype"_a = "object").attr("reshape")(N, n);
  out["contact_forces"] = matrix_array(d.contact_forces, {N, n});
  out["closing_delta"] = matrix_array(d.closing_delta, {N, dof});
  if (d.pregrasp_joints.size() > 0) {  // optional in the file
    out["pregrasp_joints"] = matrix_array(d.pregrasp_joints, {N, dof});
    out["squeeze_joints"] = matrix_array(d.squeeze_joints, {N, dof});
  }
  for (const auto& [name, values] : d.extra) out[py::str(name)] = matrix_array(values, {N});
  out["joint_names"] = d.joint_names;
  out["energy_term_names"] = d.energy_term_names;
  py::dict attrs;
  attrs["format"] = "graspqp-grasps";
  attrs["format_version"] = 1;
  attrs["hand"] = d.hand;
  attrs["grasp_type"] = d.grasp_type;
  attrs["energy"] = d.energy_name;
  attrs["object_path"] = d.object_path;
  attrs["object_sha256"] = d.object_sha256;
  attrs["scale"] = d.scale;
  attrs["object_center"] = matrix_array(d.object_center, {3});
  try {
    attrs["parameters"] = json_to_py(nlohmann::json::parse(d.parameters_json));
  } catch (const nlohmann::json::exception&) {
    attrs["parameters"] = d.parameters_json;  // not JSON: kept as the string
  }
  attrs["seed"] = d.seed;
  attrs["program_version"] = d.program_version;
  out["attrs"] = attrs;
  return out;
}

const char* const kStandard[] = {"root_pose",      "joints",         "energy",          "energy_terms",
                                 "contact_idx",    "contact_points", "contact_normals", "contact_links",
                                 "contact_forces", "closing_delta",  "joint_names",     "energy_term_names",
                                 "attrs"};

// A (rows x cols) float64 matrix from grasps[key]; shapes are checked again by write_grasp_file.
template <class Matrix>
void fill(Matrix& m, const py::dict& g, const char* key, py::ssize_t cols) {
  py::array a = py::module_::import("numpy").attr("asarray")(g[key], "dtype"_a = "float64");
  if (a.ndim() < 1) throw ValueError(std::string("grasps['") + key + "']: expected an array with a row per grasp");
  const py::ssize_t rows = a.shape(0);
  if (a.size() != rows * cols)
    throw ValueError(std::string("grasps['") + key + "']: expected " + std::to_string(cols) + " values per grasp");
  ArrayD c = py::module_::import("numpy").attr("ascontiguousarray")(a);
  m.resize(rows, cols);
  std::copy(c.data(), c.data() + c.size(), m.data());
}

GraspDataset dataset_from_dict(const py::dict& g) {
  for (const char* key : kStandard)
    if (!g.contains(key))
      throw ValueError(std::string("grasps: missing '") + key + "' (pass a dict as read_grasps() returns)");
  GraspDataset d;
  const py::ssize_t dof = py::len(g["joint_names"]);
  py::array idx = py::module_::import("numpy").attr("asarray")(g["contact_idx"]);
  const py::ssize_t n = idx.ndim() == 2 ? idx.shape(1) : 0;
  const py::ssize_t k = py::len(g["energy_term_names"]);
  fill(d.root_pose, g, "root_pose", 7);
  fill(d.joints, g, "joints", dof);
  Eigen::MatrixXd energy;
  fill(energy, g, "energy", 1);
  d.energy = energy.col(0);
  fill(d.energy_terms, g, "energy_terms", k);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> tmp;
  fill(tmp, g, "contact_idx", n);
  d.contact_idx = tmp.cast<int32_t>();
  fill(tmp, g, "contact_points", 3 * n);
  d.contact_points.assign(tmp.data(), tmp.data() + tmp.size());
  fill(tmp, g, "contact_normals", 3 * n);
  d.contact_normals.assign(tmp.data(), tmp.data() + tmp.size());
  fill(d.contact_forces, g, "contact_forces", n);
  fill(d.closing_delta, g, "closing_delta", dof);
  if (g.contains("pregrasp_joints") || g.contains("squeeze_joints")) {
    if (!g.contains("pregrasp_joints") || !g.contains("squeeze_joints"))
      throw ValueError("grasps: give both 'pregrasp_joints' and 'squeeze_joints' or neither");
    fill(d.pregrasp_joints, g, "pregrasp_joints", dof);
    fill(d.squeeze_joints, g, "squeeze_joints", dof);
  }
  for (const auto& s :
       py::module_::import("numpy").attr("asarray")(g["contact_links"], "dtype"_a = "object").attr("ravel")())
    d.contact_links.push_back(py::str(s));
  d.joint_names = g["joint_names"].cast<std::vector<std::string>>();
  d.energy_term_names = g["energy_term_names"].cast<std::vector<std::string>>();
  for (const auto& [key, value] : g) {
    const std::string name = py::str(key);
    if (std::find(std::begin(kStandard), std::end(kStandard), name) != std::end(kStandard) ||
        name == "pregrasp_joints" || name == "squeeze_joints")
      continue;
    Eigen::MatrixXd col;
    fill(col, g, name.c_str(), 1);
    d.extra[name] = col.col(0);
  }
  const py::dict attrs = g["attrs"].cast<py::dict>();
  auto attr = [&](const char* key) -> py::object {
    if (!attrs.contains(key)) throw ValueError(std::string("grasps['attrs']: missing '") + key + "'");
    return attrs[key];
  };
  d.hand = py::str(attr("hand"));
  d.grasp_type = py::str(attr("grasp_type"));
  d.energy_name = py::str(attr("energy"));
  d.object_path = py::str(attr("object_path"));
  d.object_sha256 = py::str(attr("object_sha256"));
  d.program_version = py::str(attr("program_version"));
  d.scale = attr("scale").cast<double>();
  const auto center = attr("object_center").cast<std::vector<double>>();
  if (center.size() != 3) throw ValueError("grasps['attrs']['object_center']: expected 3 values");
  d.object_center = Vec3(center[0], center[1], center[2]);
  const py::object params = attr("parameters");
  d.parameters_json = py::isinstance<py::str>(params) ? params.cast<std::string>() : py_to_json(params).dump();
  d.seed = attr("seed").cast<std::uint64_t>();
  return d;
}

void write_grasps(const py::object& path_obj, const py::dict& grasps) {
  const std::string path = path_string(path_obj, "path");
  const GraspDataset d = dataset_from_dict(grasps);
  ReleaseGil release;
  write_grasp_file(path, d);
}

}  // namespace

void init_grasps(py::module_& m) {
  m.def("read_grasps", &read_grasps, "path"_a, R"doc(
Reads a grasp file (docs/format.md) into a dict of numpy arrays named as its datasets: "root_pose"
(N, 7), "joints" (N, dof), "energy" (N,), "energy_terms" (N, k), "contact_idx" (N, n) int32,
"contact_points" and "contact_normals" (N, n, 3), "contact_links" (N, n) str (object array),
"contact_forces" (N, n), "closing_delta" (N, dof), "pregrasp_joints" and "squeeze_joints" (N, dof; where the file
has them) and any extra per-grasp dataset (e.g. "valid");
the dataset attributes as "joint_names" and "energy_term_names" (lists of str); the root attributes
in "attrs" (a dict: format, format_version, hand, grasp_type, energy, object_path, object_sha256,
scale, object_center, parameters (a dict), seed, program_version).
Raises FileNotFoundError for a missing file, ValueError for a file that is not a grasp file.
)doc");
  m.def("write_grasps", &write_grasps, "path"_a, "grasps"_a, R"doc(
Writes a dict as read_grasps() returns (e.g. a subset of its rows, see graspqp.select) as a grasp file,
atomically. Shapes are checked (ValueError naming the field) before anything is written.
)doc");
}

}  // namespace graspqp::python
