#pragma once
// Small machine-readable reports (JSON) used by the CLI: hand summaries and forward kinematics.
#include <graspqp/hand/hand_model.hpp>

#include <nlohmann/json.hpp>

namespace graspqp {

// {"name", "dof", "joints": [{"name", "lower", "upper", "default"}], "grasp_types": {type: n},
//  "links": [names], "spheres": n}
nlohmann::json hand_summary_json(const HandModel& model);

// Forward kinematics of state x: {"joints": {name: value}, "links": {name: {"position", "quaternion"}},
//  "contacts": [{"link", "position", "normal"}], "spheres": [{"link", "center", "radius"}]}.
nlohmann::json forward_kinematics_json(const HandModel& model, const Eigen::VectorXd& x, const std::string& grasp_type);

// Quaternion (w, x, y, z) with w >= 0.
Eigen::Vector4d quaternion_wxyz(const Mat3& R);

}  // namespace graspqp
