#pragma once
// Turning optimized samples into dataset rows: poses, contacts, QP forces and the closing command.
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/optim/sampler.hpp>

namespace graspqp {

// How the closing command is made.
//   Reference: every contact is pushed the same depth into the object (the reference's exporter).
//   Balanced:  the gaps are closed as the reference closes them, and the push is the joint torque that
//              produces the GraspQP QP's contact forces (balanced by construction: their net wrench is the
//              QP's residual), scaled to the reference push's size. With equal joint gains a position
//              controller driven by it presses with forces that cancel instead of shoving the free object.
//   Auto:      Balanced, except Reference for grasp types named "pinch" (two fingertips squeezing each other,
//              where the equal push measured better; docs/results.md, "Balanced closing"). Resolved by
//              resolve_closing_policy before use.
enum class ClosingPolicy { Auto, Reference, Balanced };
ClosingPolicy parse_closing_policy(const std::string& name);  // "auto" | "reference" | "balanced"
std::string to_string(ClosingPolicy policy);
ClosingPolicy resolve_closing_policy(ClosingPolicy policy, const std::string& grasp_type);

// Joint increments that move each contact towards the object, by damped least squares:
//   v_i = -n_i (gain |d_i| + offset),  delta = J^T (J J^T + damping I)^-1 v  (or the dual form),
// J the stacked 3n x dof contact Jacobian in the object frame (the reference's closing command,
// grasp_velocities_off + 0.1 grasp_velocities: gain 5.5, offset 0.025 m).
struct ClosingOptions {
  ClosingPolicy policy = ClosingPolicy::Reference;  // used by fill_grasp_rows (Auto there is a programmer error)
  double gain = 5.5, offset = 0.025, damping = 1e-3;
};
Eigen::VectorXd closing_delta(const HandModel& hand, const GraspType& grasp_type, const HandData& data,
                              std::span<const int> contacts, std::span<const SdfResult> object_at_contact,
                              const ClosingOptions& options = {});

// The balanced command: closing_delta with offset 0 (the gaps), plus s * sum_i J_i^T (-f_i), where f_i is
// contact i's QP force (n x 3, along the outward normal, as the grasp matrix's columns) and s scales that
// sum to the norm of closing_delta with gain 0 (the reference's push). Without any force it is closing_delta.
Eigen::VectorXd balanced_closing_delta(const HandModel& hand, const GraspType& grasp_type, const HandData& data,
                                       std::span<const int> contacts, std::span<const SdfResult> object_at_contact,
                                       const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 3>>& forces,
                                       const ClosingOptions& options = {});

// The scales of the pregrasp and squeeze poses (hand/hand_model.hpp: pregrasp_joints, squeeze_joints):
//   pregrasp = q - pregrasp x closing_delta,  squeeze = q + squeeze x closing_delta.
// With the default command (2.5 cm + 5.5 |d| per contact along its normal, linearized) 0.25 opens each
// contact by about 6 mm and squeezes it by as much, as DexGraspBench's data has them.
struct GraspPoseScales {
  double pregrasp = 0.25, squeeze = 0.25;
};

// Fills every per-grasp field of `d` from the samples (attributes are left to the caller), the closing
// command (by `closing.policy`) and the pregrasp and squeeze poses included.
void fill_grasp_rows(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                     const EnergyConfig& energy, const std::vector<Sample>& samples, GraspDataset& d,
                     const GraspPoseScales& poses = {}, const ClosingOptions& closing = {});

}  // namespace graspqp
