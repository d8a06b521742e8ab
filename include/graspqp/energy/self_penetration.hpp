#pragma once
// E_spen: overlap of the hand's self-collision spheres,
//   E_spen = sum over sphere pairs (s, s') on different links of max(r_s + r_s' - |c_s - c_s'|, 0).
// Unlike the reference (only the deepest pair per link, parent-child pairs included, §9.15) every
// overlapping pair counts, and pairs on a link and its parent are skipped by default: their spheres
// meet at the joint by construction, and penalising them would fight the joint rather than a collision.
#include <graspqp/hand/kinematics.hpp>

namespace graspqp {

struct SelfPenetrationOptions {
  bool skip_adjacent_links = true;
};

// Value; adds gradient_weight * gradient to data's adjoint accumulators unless gradient_weight is 0.
double self_penetration_energy(const HandModel& model, HandData& data, const SelfPenetrationOptions& options,
                               double gradient_weight);

}  // namespace graspqp
