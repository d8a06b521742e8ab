#pragma once
// E_joints: L1 hinge outside the joint limits, sum_j max(q_j - upper_j, 0) + max(lower_j - q_j, 0).
#include <Eigen/Core>

namespace graspqp {

// Value; the gradient is written to dE_dq.
double joint_limit_energy(const Eigen::VectorXd& q, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                          Eigen::VectorXd& dE_dq);

}  // namespace graspqp
