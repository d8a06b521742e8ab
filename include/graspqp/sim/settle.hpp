#pragma once
// Settling in simulation (docs/evaluation.md, "Settling"): each grasp is closed in MuJoCo as a protocol
// closes it (its settle time, no disturbance), and read back as the hand's settled configuration in the
// frame the object has reached. The optimizer's grasp is where the contacts were aimed; the settled one
// is where the physics put them, so a closing that pushes the object is already behind it. Deterministic:
// the same inputs give the same results whatever the thread count.
#include <graspqp/sim/evaluate.hpp>

namespace graspqp {

struct SettledGrasp {
  Eigen::Matrix<double, 7, 1> root_pose = Eigen::Matrix<double, 7, 1>::Zero();  // x y z qw qx qy qz, object frame
  Eigen::VectorXd joints;                                                       // HandModel::joints order
  double object_translation = 0;   // [m] how far the closing moved the object
  double object_rotation_deg = 0;  // [deg] and turned it
  int contacts = 0;                // hand bodies touching the object after the closing (within 1 mm)
  std::string error;               // non-empty: the simulation failed (root_pose and joints are not set)
};

// Settles every grasp in a compiled scene under options.protocol's closing (its trials and perturbations
// are not used). Same input checks as simulate_grasps.
std::vector<SettledGrasp> settle_grasps(const SimScene& scene, const HandModel& hand,
                                        const std::vector<SimGrasp>& grasps, const EvalOptions& options);

// The root position of each grasp (object frame) moved out of the object until no hand-object contact of
// the scene at the grasp's reset state is deeper than `tolerance` [m] (at most `max_rounds` moves, each
// along the deepest contact's normal by its depth). The rotation and joints are kept.
std::vector<Vec3> clear_grasps_of_object(const SimScene& scene, const HandModel& hand,
                                         const std::vector<SimGrasp>& grasps, const EvalOptions& options,
                                         double tolerance, int max_rounds = 20);

}  // namespace graspqp
