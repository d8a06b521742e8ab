// Step 4 of `graspqp hand init`: the hand.json "sim" section (gains that hold the default pose against
// gravity, from the URDF masses).
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/onboard/sim_gains.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "hand/urdf.hpp"
#include "internal.hpp"

using nlohmann::json;

namespace graspqp {

using onboard_detail::fk_at;

namespace {

double round_up_2(double v) {  // two significant digits, upwards
  if (!(v > 0)) return v;
  const double e = std::pow(10.0, std::floor(std::log10(v)) - 1);
  return std::ceil(v / e - 1e-9) * e;
}

}  // namespace

json suggested_sim_gains(const HandModel& model) {
  std::map<std::string, double> masses = urdf::link_masses(model.urdf_path);
  for (auto& [name, m] : masses) m = std::clamp(m, 1e-4, 10.0);
  HandData data(model);
  fk_at(model, model.default_joints(), data);
  const double g = 9.81;
  double torque = 0, force = 0;
  for (const auto& a : model.joints) {
    double m = 0;
    Vec3 mc = Vec3::Zero();
    std::vector<int> stack{a.link};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      const LinkModel& link = model.links[l];
      auto it = masses.find(link.name);
      const double ml = it != masses.end() ? it->second : 0.05;
      const Vec3 c =
          link.collision_mesh.empty() ? Vec3(data.position[l]) : data.to_world(l, link.collision_box.center());
      m += ml;
      mc += ml * c;
      for (int ch : link.children) stack.push_back(ch);
    }
    if (a.type == JointType::Prismatic) {
      force = std::max(force, m * g);
    } else {
      const Vec3 r = mc / m - data.position[a.link];
      const Vec3 w = data.axis_world[a.link];
      torque = std::max(torque, m * g * (r - r.dot(w) * w).norm());
    }
  }
  json sim = {{"kp", round_up_2(std::max(10.0, torque / 0.01))},
              {"force_limit", round_up_2(std::max(2.0, 3 * torque))}};
  bool prismatic = false;
  for (const auto& a : model.joints) prismatic = prismatic || a.type == JointType::Prismatic;
  if (prismatic)
    sim["prismatic"] = {{"kp", round_up_2(std::max(1000.0, force / 0.001))},
                        {"force_limit", round_up_2(std::max(50.0, 3 * force))}};
  sim["_comment"] =
      "Estimated by graspqp hand init from the URDF masses (holds the default pose within 0.01 rad "
      "against gravity); tune for the real hand (docs/evaluation.md).";
  return sim;
}

}  // namespace graspqp
