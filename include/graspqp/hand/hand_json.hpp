#pragma once
// The hand model and its forward kinematics as JSON (the CLI's `hands --json` and `fk`).
#include <graspqp/hand/hand_model.hpp>

#include <nlohmann/json.hpp>

namespace graspqp {

// {"name", "dof", "joints": [{"name", "lower", "upper", "default"}], "grasp_types": {type: n},
//  "links": [names], "spheres": n}
nlohmann::json hand_summary_json(const HandModel& model);

// Forward kinematics of state x: {"joints": {name: value}, "links": {name: {"position", "quaternion"}},
//  "contacts": [{"link", "position", "normal"}], "spheres": [{"link", "center", "radius"}]}.
nlohmann::json forward_kinematics_json(const HandModel& model, const Eigen::VectorXd& x, const std::string& grasp_type);

}  // namespace graspqp
