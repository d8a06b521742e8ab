// graspqp.Hand: the hand model (joints, links, grasp types, contact candidates) and batched forward kinematics.
#include <graspqp/hand/kinematics.hpp>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <Eigen/Geometry>

#include <filesystem>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

Hand load(const py::object& name_or_dir) {
  const std::string name = path_string(name_or_dir, "name_or_dir");
  Hand h;
  try {
    ReleaseGil release;
    h.model = std::make_shared<const HandModel>(load_hand(name));
  } catch (const Error& e) {
    std::error_code ec;
    if (name.find('/') != std::string::npos && !std::filesystem::exists(name, ec))
      raise_file_not_found(e.what());  // a hand folder that is not there
    throw;
  }
  return h;
}

py::array_t<double> vector_array(const Eigen::VectorXd& v) {
  py::array_t<double> a(v.size());
  std::copy(v.data(), v.data() + v.size(), a.mutable_data());
  return a;
}

py::dict candidates(const Hand& h, const std::string& grasp_type) {
  const HandModel& model = *h.model;
  const GraspType& type = model.grasp_type(grasp_type);
  const auto m = static_cast<py::ssize_t>(type.candidates.size());
  py::list links;
  ArrayI link_index(m);
  ArrayD position({m, py::ssize_t(3)}), normal({m, py::ssize_t(3)});
  for (py::ssize_t i = 0; i < m; ++i) {
    const ContactCandidate& c = type.candidates[i];
    links.append(model.links[c.link].name);
    link_index.mutable_data()[i] = c.link;
    for (int k = 0; k < 3; ++k) {
      position.mutable_data()[3 * i + k] = c.position[k];
      normal.mutable_data()[3 * i + k] = c.normal[k];
    }
  }
  py::dict d;
  d["link"] = links;
  d["link_index"] = link_index;
  d["position"] = position;
  d["normal"] = normal;
  return d;
}

// Root poses (x, y, z, qw, qx, qy, qz) as (t, R); the quaternion is normalized, a zero one is an error.
void pose_of(const double* p, py::ssize_t row, Vec3& t, Mat3& R) {
  const Eigen::Quaterniond q(p[3], p[4], p[5], p[6]);
  if (!(q.norm() > 1e-12)) throw ValueError("root_pose: row " + std::to_string(row) + " has a zero quaternion");
  t = Vec3(p[0], p[1], p[2]);
  R = q.normalized().toRotationMatrix();
}

py::dict fk(const Hand& h, const py::object& joints, const py::object& root_pose) {
  const HandModel& model = *h.model;
  const Rows q = as_rows(joints, "joints", model.dof());
  const bool has_pose = !root_pose.is_none();
  Rows pose;
  if (has_pose) pose = as_rows(root_pose, "root_pose", 7);
  const py::ssize_t n =
      batch_size({{"joints", q.single ? -1 : q.rows}, {"root_pose", !has_pose || pose.single ? -1 : pose.rows}});
  const bool single = q.single && (!has_pose || pose.single);
  std::vector<Vec3> t(has_pose ? pose.rows : 1, Vec3::Zero());
  std::vector<Mat3> R(t.size(), Mat3::Identity());
  if (has_pose)
    for (py::ssize_t i = 0; i < pose.rows; ++i) pose_of(pose.row(i), i, t[i], R[i]);

  const size_t n_links = model.links.size();
  std::vector<ArrayD> out;
  std::vector<double*> ptr;
  for (size_t l = 0; l < n_links; ++l) {
    out.push_back(single ? new_array({7}) : new_array({n, 7}));
    ptr.push_back(out.back().mutable_data());
  }
  {
    ReleaseGil release;
    tbb::enumerable_thread_specific<HandData> data([&] { return HandData(model); });
    tbb::parallel_for(py::ssize_t(0), n, [&](py::ssize_t i) {
      HandData& d = data.local();
      const py::ssize_t p = pose.single || !has_pose ? 0 : i;
      const Eigen::Map<const Eigen::VectorXd> qi(q.row(q.single ? 0 : i), model.dof());
      forward_kinematics(model, make_state(t[p], R[p], qi), d);
      for (size_t l = 0; l < n_links; ++l) {
        double* o = ptr[l] + 7 * i;
        const Eigen::Vector4d quat = quaternion_wxyz(d.rotation[l]);
        for (int k = 0; k < 3; ++k) o[k] = d.position[l][k];
        for (int k = 0; k < 4; ++k) o[3 + k] = quat[k];
      }
    });
  }
  py::dict result;
  for (size_t l = 0; l < n_links; ++l) result[py::str(model.links[l].name)] = out[l];
  return result;
}

}  // namespace

void init_hand(py::module_& m) {
  py::class_<Hand>(m, "Hand", R"doc(
A robot hand: kinematic tree, actuated joints, contact candidates per grasp type.

Hand(name_or_dir) loads a bundled hand by name ("allegro", "shadow_hand", ...; see bundled_hands())
or a folder holding a hand.json. Immutable; safe to share between threads.
)doc")
      .def(py::init(&load), "name_or_dir"_a)
      .def_property_readonly("name", [](const Hand& h) { return h.model->name; })
      .def_property_readonly(
          "directory", [](const Hand& h) { return h.model->directory.string(); }, "Folder holding the hand.json.")
      .def_property_readonly(
          "dof", [](const Hand& h) { return h.model->dof(); }, "Number of actuated joints.")
      .def_property_readonly(
          "joint_names",
          [](const Hand& h) {
            std::vector<std::string> names;
            for (const auto& j : h.model->joints) names.push_back(j.name);
            return names;
          },
          "Actuated joint names, in the order of the columns of `joints` arrays.")
      .def_property_readonly(
          "joint_lower", [](const Hand& h) { return vector_array(h.model->lower_limits()); },
          "Lower joint limits (dof,), radians / metres.")
      .def_property_readonly(
          "joint_upper", [](const Hand& h) { return vector_array(h.model->upper_limits()); },
          "Upper joint limits (dof,), radians / metres.")
      .def_property_readonly(
          "default_joints", [](const Hand& h) { return vector_array(h.model->default_joints()); },
          "Default joint positions (dof,).")
      .def_property_readonly(
          "link_names",
          [](const Hand& h) {
            std::vector<std::string> names;
            for (const auto& l : h.model->links) names.push_back(l.name);
            return names;
          },
          "Link names in tree order (the keys of fk()).")
      .def_property_readonly(
          "grasp_types",
          [](const Hand& h) {
            std::vector<std::string> names;
            for (const auto& t : h.model->grasp_types) names.push_back(t.name);
            return names;
          },
          "Grasp types (contact-candidate sets), 'full' first.")
      .def_property_readonly(
          "candidate_counts",
          [](const Hand& h) {
            py::dict d;
            for (const auto& t : h.model->grasp_types) d[py::str(t.name)] = t.candidates.size();
            return d;
          },
          "Number of contact candidates per grasp type.")
      .def_property_readonly(
          "warnings", [](const Hand& h) { return h.model->warnings; }, "Non-fatal problems found while loading.")
      .def("contact_candidates", &candidates, "grasp_type"_a = "full", R"doc(
Contact candidates of a grasp type, in candidate-index order (the indices of `contact_idx`):
dict with "link" (list of link names), "link_index" (int32 (M,)), "position" and "normal"
((M, 3), link frame; normals unit, pointing out of the link).
)doc")
      .def("fk", &fk, "joints"_a, "root_pose"_a = py::none(), R"doc(
Forward kinematics. joints: (N, dof) or (dof,); root_pose: (N, 7) or (7,), x, y, z, qw, qx, qy, qz of
the hand base in the object frame (the quaternion is normalized; default identity). Either may be one
row for the whole batch.

Returns a dict link name -> (N, 7) array (or (7,) when both inputs are single rows): link frame
position and unit quaternion (w, x, y, z, w >= 0) in the object frame.
)doc")
      .def("__repr__", [](const Hand& h) {
        return "<graspqp.Hand '" + h.model->name + "': " + std::to_string(h.model->dof()) + " dof, " +
               std::to_string(h.model->links.size()) + " links>";
      });
  m.def("bundled_hands", &bundled_hand_names, "Names of the bundled hands, sorted.");
}

}  // namespace graspqp::python
