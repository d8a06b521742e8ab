#include <graspqp/hand/hand_json.hpp>
#include <graspqp/hand/kinematics.hpp>

namespace graspqp {

using nlohmann::json;

static json vec_json(const Vec3& v) { return json::array({v.x(), v.y(), v.z()}); }

json hand_summary_json(const HandModel& model) {
  json j;
  j["name"] = model.name;
  j["dof"] = model.dof();
  j["joints"] = json::array();
  for (const auto& a : model.joints)
    j["joints"].push_back({{"name", a.name},
                           {"lower", a.lower},
                           {"upper", a.upper},
                           {"default", a.default_value},
                           {"type", a.type == JointType::Prismatic ? "prismatic" : "revolute"}});
  j["grasp_types"] = json::object();
  for (const auto& g : model.grasp_types) j["grasp_types"][g.name] = g.candidates.size();
  j["links"] = json::array();
  for (const auto& l : model.links) j["links"].push_back(l.name);
  j["spheres"] = model.spheres.size();
  return j;
}

json forward_kinematics_json(const HandModel& model, const Eigen::VectorXd& x, const std::string& grasp_type) {
  HandData data(model);
  forward_kinematics(model, x, data);
  json j;
  j["joints"] = json::object();
  for (size_t l = 0; l < model.links.size(); ++l)
    if (model.links[l].joint_type != JointType::Fixed) j["joints"][model.links[l].joint_name] = data.joint_value[l];
  j["links"] = json::object();
  for (size_t l = 0; l < model.links.size(); ++l) {
    const Eigen::Vector4d q = quaternion_wxyz(data.rotation[l]);
    j["links"][model.links[l].name] = {{"position", vec_json(data.position[l])},
                                       {"quaternion", json::array({q[0], q[1], q[2], q[3]})}};
  }
  j["contacts"] = json::array();
  if (!model.grasp_types.empty() || grasp_type != "full") {
    for (const auto& c : model.grasp_type(grasp_type).candidates)
      j["contacts"].push_back({{"link", model.links[c.link].name},
                               {"position", vec_json(data.to_world(c.link, c.position))},
                               {"normal", vec_json(data.dir_to_world(c.link, c.normal))}});
  }
  j["spheres"] = json::array();
  for (const auto& s : model.spheres)
    j["spheres"].push_back({{"link", model.links[s.link].name},
                            {"center", vec_json(data.to_world(s.link, s.center))},
                            {"radius", s.radius}});
  return j;
}

}  // namespace graspqp
