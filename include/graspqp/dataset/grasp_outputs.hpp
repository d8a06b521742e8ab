#pragma once
// Turning optimized samples into dataset rows: poses, contacts, QP forces and the closing command.
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/optim/sampler.hpp>

namespace graspqp {

// Joint increments that move each contact towards the object, by damped least squares:
//   v_i = -n_i (gain |d_i| + offset),  delta = J^T (J J^T + damping I)^-1 v  (or the dual form),
// J the stacked 3n x dof contact Jacobian in the object frame (the reference's closing command,
// grasp_velocities_off + 0.1 grasp_velocities: gain 5.5, offset 0.025 m).
struct ClosingOptions {
  double gain = 5.5, offset = 0.025, damping = 1e-3;
};
Eigen::VectorXd closing_delta(const HandModel& hand, const GraspType& grasp_type, const HandData& data,
                              std::span<const int> contacts, std::span<const SdfResult> object_at_contact,
                              const ClosingOptions& options = {});

// The scales of the pregrasp and squeeze poses (hand/hand_model.hpp: pregrasp_joints, squeeze_joints):
//   pregrasp = q - pregrasp x closing_delta,  squeeze = q + squeeze x closing_delta.
// With the default command (2.5 cm + 5.5 |d| per contact along its normal, linearized) 0.25 opens each
// contact by about 6 mm and squeezes it by as much, as DexGraspBench's data has them.
struct GraspPoseScales {
  double pregrasp = 0.25, squeeze = 0.25;
};

// Fills every per-grasp field of `d` from the samples (attributes are left to the caller), pregrasp and
// squeeze poses included.
void fill_grasp_rows(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                     const EnergyConfig& energy, const std::vector<Sample>& samples, GraspDataset& d,
                     const GraspPoseScales& poses = {});

}  // namespace graspqp
