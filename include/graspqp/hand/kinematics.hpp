#pragma once
// Forward kinematics and its exact reverse-mode gradient (Data half of the Model/Data split).
//
// Grasp state x = [t (3) | r6 (6) | q (dof)]: hand base translation in the object (world) frame,
// the first two columns of the base rotation (re-orthonormalized by Gram-Schmidt), actuated joints.
//
// Gradients: energy terms report dE/dp for world points attached to links and dE/dn for world
// normals attached to links; backpropagate() returns dE/dx by adjoint (J^T) propagation through
// the tree: per link the accumulated force F = sum dE/dp and moment M = sum p x dE/dp + n x dE/dn are
// summed over subtrees; a revolute joint with world axis w at anchor a gets w.(M_sub - a x F_sub), a
// prismatic joint w.F_sub. This costs O(links), independent of the number of points.
#include <graspqp/hand/hand_model.hpp>

#include <Eigen/Core>

namespace graspqp {

struct HandData {
  // Base pose.
  Mat3 R = Mat3::Identity();
  Vec3 t = Vec3::Zero();
  Eigen::Matrix<double, 6, 1> r6 = Eigen::Matrix<double, 6, 1>::Zero();  // kept for the Gram-Schmidt backward pass
  Eigen::VectorXd q;                                                     // actuated joints
  // Per link, in tree order.
  std::vector<double> joint_value;           // value of the link's parent joint (0 for fixed)
  std::vector<Eigen::Isometry3d> pose_base;  // link frame in the hand base frame
  std::vector<Mat3> rotation;                // link orientation in the world frame
  std::vector<Vec3> position;                // link origin in the world frame
  std::vector<Vec3> axis_world;              // parent-joint axis in the world frame
  // Adjoint accumulators (world frame), reset by clear_gradient().
  std::vector<Vec3> force, moment;
  Mat3 base_outer = Mat3::Zero();  // sum dE/dp (p - t)^T + dE/dn n^T over all points (rotation gradient)

  explicit HandData(const HandModel& model);

  // World position / normal of a point / direction given in a link frame.
  Vec3 to_world(int link, const Vec3& p_link) const { return rotation[link] * p_link + position[link]; }
  Vec3 dir_to_world(int link, const Vec3& v_link) const { return rotation[link] * v_link; }
};

// Rotation from the 6-D representation (two columns, Gram-Schmidt). Throws on degenerate input.
Mat3 rotation_from_6d(const Eigen::Ref<const Eigen::VectorXd>& r6);
// Backward of rotation_from_6d: dE/dr6 from dE/dR (full 3x3 matrix of partials).
Eigen::Matrix<double, 6, 1> rotation_6d_backward(const Eigen::Ref<const Eigen::VectorXd>& r6, const Mat3& dE_dR);

// Unit quaternion (w, x, y, z) of a rotation matrix, with w >= 0 (the files' convention).
Eigen::Vector4d quaternion_wxyz(const Mat3& R);

// Builds a state vector from a pose (translation + rotation) and joints.
Eigen::VectorXd make_state(const Vec3& t, const Mat3& R, const Eigen::VectorXd& q);

// Full joint values (one per link parent joint) from actuated joints, couplings applied.
void coupled_joint_values(const HandModel& model, const Eigen::Ref<const Eigen::VectorXd>& q,
                          std::vector<double>& joint_value);

// Computes every link pose for state x. Throws graspqp::Error on wrong size or non-finite values.
void forward_kinematics(const HandModel& model, const Eigen::Ref<const Eigen::VectorXd>& x, HandData& data);

// Gradient accumulation (call after forward_kinematics).
void clear_gradient(HandData& data);
inline void add_point_gradient(HandData& data, int link, const Vec3& p_world, const Vec3& dE_dp) {
  data.force[link] += dE_dp;
  data.moment[link] += p_world.cross(dE_dp);
  data.base_outer.noalias() += dE_dp * (p_world - data.t).transpose();
}
inline void add_normal_gradient(HandData& data, int link, const Vec3& n_world, const Vec3& dE_dn) {
  data.moment[link] += n_world.cross(dE_dn);
  data.base_outer.noalias() += dE_dn * n_world.transpose();
}
// dE/dx for the accumulated partials, written to (not added to) dE_dx (size 9 + dof).
// `dE_dq_direct` (optional, size dof) are direct partials w.r.t. the actuated joints (e.g. joint limits).
void backpropagate(const HandModel& model, HandData& data, Eigen::Ref<Eigen::VectorXd> dE_dx,
                   const Eigen::VectorXd* dE_dq_direct = nullptr);

// Linear velocity Jacobian (3 x dof, world frame) of a world point attached to `link`
// with respect to the actuated joints (couplings folded in).
Eigen::Matrix<double, 3, Eigen::Dynamic> point_jacobian(const HandModel& model, const HandData& data, int link,
                                                        const Vec3& p_world);

}  // namespace graspqp
