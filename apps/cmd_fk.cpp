// `graspqp fk`: forward kinematics of one hand configuration as JSON.
#include <graspqp/hand/hand_json.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "parse.hpp"

namespace graspqp::cli {

Handler add_fk_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("fk", "Forward kinematics: link poses, contact candidates and spheres as JSON");
  struct Opts {
    std::string hand, joints, pose, grasp_type = "full";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--hand", o->hand, "Hand name or folder holding a hand.json")->required();
  cmd->add_option(
      "--joints", o->joints,
      "Actuated joint values q1,q2,... in the order of `graspqp hands --hand NAME` (default pose if omitted)");
  cmd->add_option("--pose", o->pose, "Hand base pose x,y,z,qw,qx,qy,qz (default: identity, URDF root frame)");
  cmd->add_option("--grasp-type", o->grasp_type, "Grasp type whose contact candidates are listed")
      ->capture_default_str();
  return [=]() {
    const HandModel model = load_hand(o->hand);
    for (const auto& w : model.warnings) std::cerr << "warning: " << w << "\n";
    Eigen::VectorXd q = model.default_joints();
    if (!o->joints.empty()) {
      auto v = parse_number_list(o->joints, "--joints");
      if (static_cast<int>(v.size()) != model.dof())
        throw Error("--joints: hand '" + model.name + "' has " + std::to_string(model.dof()) +
                    " actuated joints, got " + std::to_string(v.size()) + " values");
      q = Eigen::Map<Eigen::VectorXd>(v.data(), v.size());
    }
    Vec3 t = Vec3::Zero();
    Mat3 R = Mat3::Identity();
    if (!o->pose.empty()) {
      auto v = parse_number_list(o->pose, "--pose");
      if (v.size() != 7) throw Error("--pose: expected 7 values x,y,z,qw,qx,qy,qz, got " + std::to_string(v.size()));
      Eigen::Quaterniond quat(v[3], v[4], v[5], v[6]);
      if (quat.norm() < 1e-12) throw Error("--pose: the quaternion is zero");
      t = Vec3(v[0], v[1], v[2]);
      R = quat.normalized().toRotationMatrix();
    }
    if (!model.has_grasp_type(o->grasp_type) && !(model.grasp_types.empty() && o->grasp_type == "full"))
      model.grasp_type(o->grasp_type);  // throws with the list of known types
    std::cout << forward_kinematics_json(model, make_state(t, R, q), o->grasp_type).dump(2) << "\n";
    return 0;
  };
}

}  // namespace graspqp::cli
