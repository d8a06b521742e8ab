// Settling in simulation: the closing of a protocol, read back as a grasp (include/graspqp/sim/settle.hpp).
#include <graspqp/sim/settle.hpp>

#include "internal.hpp"
#include "simulator.hpp"

namespace graspqp {

std::vector<SettledGrasp> settle_grasps(const SimScene& scene, const HandModel& hand,
                                        const std::vector<SimGrasp>& grasps, const EvalOptions& options) {
  begin_sim_batch(hand, grasps, options);
  const int n = static_cast<int>(grasps.size());
  std::vector<SettledGrasp> out(n);
  auto run_one = [&](int b, mjData* d) {
    const SimGrasp& g = grasps[b];
    const Vec3 pos = g.root_pose.head<3>();
    const Eigen::Quaterniond quat = root_quaternion(g);
    sim_detail::Simulator sim(scene, hand, options);
    out[b] = sim.settle(d, g, pos, quat);
  };
  auto failed = [&](int b, const std::string& what) {
    out[b] = SettledGrasp{};
    out[b].error = what;
  };
  for_each_with_data(scene.model.get(), n, options.threads, run_one, failed);
  return out;
}

std::vector<Vec3> clear_grasps_of_object(const SimScene& scene, const HandModel& hand,
                                         const std::vector<SimGrasp>& grasps, const EvalOptions& options,
                                         double tolerance, int max_rounds) {
  begin_sim_batch(hand, grasps, options);
  const int n = static_cast<int>(grasps.size());
  std::vector<Vec3> out(n);
  auto run_one = [&](int b, mjData* d) {
    const SimGrasp& g = grasps[b];
    const Eigen::Quaterniond quat = root_quaternion(g);
    sim_detail::Simulator sim(scene, hand, options);
    out[b] = sim.clear_of_object(d, g, g.root_pose.head<3>(), quat, tolerance, max_rounds);
  };
  auto failed = [&](int b, const std::string&) { out[b] = grasps[b].root_pose.head<3>(); };
  for_each_with_data(scene.model.get(), n, options.threads, run_one, failed);
  return out;
}

}  // namespace graspqp
