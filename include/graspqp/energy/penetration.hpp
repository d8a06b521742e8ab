#pragma once
// E_pen: hand-object penetration. The object's surface samples o_k are queried against the hand's
// link meshes; E_pen = sum_k max over links of max(-d_link(o_k), 0) (d positive outside the link).
// Broad phase: a uniform grid over the samples and each link's bounding sphere and box, so only
// samples near a link reach the exact signed-distance query.
#include <graspqp/energy/near_sets.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/object/object_model.hpp>

namespace graspqp {

struct PenetrationWorkspace {
  std::vector<double> depth;  // per object sample, deepest penetration found so far (0 = none)
  std::vector<int> link;
  std::vector<Vec3> normal;  // outward normal of the deepest link at the sample, world frame
  std::vector<int> touched;  // samples with depth > 0, to reset cheaply
};

struct PenetrationResult {
  double energy = 0;
  double max_depth = 0;
  int points_inside = 0;
};

// Value; adds gradient_weight * gradient to data's adjoint accumulators (each penetrating sample acts
// on its link) unless gradient_weight is 0. With `near` (current for data's pose: update_near_sets) each
// link visits only its remembered samples, its queries warm-started from their remembered closest faces
// (updated here); the result is the same, bit for bit.
PenetrationResult penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                                     PenetrationWorkspace& ws, double gradient_weight, NearSets* near = nullptr);

}  // namespace graspqp
