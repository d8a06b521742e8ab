#pragma once
// Private helpers of src/sim.
#include <graspqp/sim/evaluate.hpp>

#include <vector>

namespace graspqp {
// Installs MuJoCo's error hook (errors become graspqp::Error exceptions) and warning hook (warnings are
// kept per thread instead of being written to MUJOCO_LOG.TXT). Idempotent, thread-safe.
void install_mujoco_handlers();
// Throws graspqp::Error naming the grasp when its joints, closing delta, root pose or stage poses do not
// fit the hand or are not finite.
void check_sim_grasps(const HandModel& hand, const std::vector<SimGrasp>& grasps);
}  // namespace graspqp
