#pragma once
// E_joints: L1 hinge outside the joint limits, sum_j s_j (max(q_j - upper_j, 0) + max(lower_j - q_j, 0)).
// s_j = 1 for revolute joints (radians, as the reference) and 1 / kPrismaticLimitLength for prismatic
// ones: in metres the reference's hinge is ~100 times too weak to keep a gripper's fingers in range
// (Schunk grasps ended 3 cm beyond the 1.2 cm limit).
#include <Eigen/Core>

namespace graspqp {

inline constexpr double kPrismaticLimitLength = 0.01;  // [m] costs as much as 1 rad beyond a revolute limit

// Value; the gradient is written to dE_dq. `scale` (s_j) may be empty: all 1.
double joint_limit_energy(const Eigen::VectorXd& q, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                          Eigen::VectorXd& dE_dq, const Eigen::VectorXd& scale = Eigen::VectorXd());

}  // namespace graspqp
