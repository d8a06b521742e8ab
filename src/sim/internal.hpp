#pragma once
// Private helpers of src/sim.
#include <graspqp/sim/evaluate.hpp>

#include <mujoco/mujoco.h>

#include <functional>
#include <string>
#include <vector>

namespace graspqp {
// Installs MuJoCo's error hook (errors become graspqp::Error exceptions) and warning hook (warnings are
// kept per thread instead of being written to MUJOCO_LOG.TXT). Idempotent, thread-safe.
void install_mujoco_handlers();
// Throws graspqp::Error naming the grasp when its joints, closing delta, root pose or stage poses do not
// fit the hand or are not finite.
void check_sim_grasps(const HandModel& hand, const std::vector<SimGrasp>& grasps);
// The checks every batch entry point (simulate, settle, depenetrate) makes first: MuJoCo's handlers installed,
// the options valid, the grasps fitting the hand.
void begin_sim_batch(const HandModel& hand, const std::vector<SimGrasp>& grasps, const EvalOptions& options);
// The grasp's root orientation (root_pose w, x, y, z), normalized.
inline Eigen::Quaterniond root_quaternion(const SimGrasp& g) {
  return Eigen::Quaterniond(g.root_pose[3], g.root_pose[4], g.root_pose[5], g.root_pose[6]).normalized();
}
// Runs task(i, d) for every i in [0, n) on `threads` threads (0: all cores), one item at a time, d the
// running thread's own mjData of `m`. When a task throws, on_error(i, what) records it and the thread's
// data is made afresh (MuJoCo's data may be inconsistent after an error). Then on_done(i), if given, runs
// outside that guard (progress reports: what they throw ends the run). Results must not depend on which
// thread ran an item.
void for_each_with_data(const mjModel* m, int n, int threads, const std::function<void(int, mjData*)>& task,
                        const std::function<void(int, const std::string&)>& on_error,
                        const std::function<void(int)>& on_done = {});
}  // namespace graspqp
