// Settling in simulation: the closing of a protocol, read back as a grasp (include/graspqp/sim/settle.hpp).
#include <graspqp/sim/settle.hpp>

#include <mujoco/mujoco.h>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "internal.hpp"
#include "simulator.hpp"

namespace graspqp {

std::vector<SettledGrasp> settle_grasps(const SimScene& scene, const HandModel& hand,
                                        const std::vector<SimGrasp>& grasps, const EvalOptions& options) {
  install_mujoco_handlers();
  validate_eval_options(options);
  check_sim_grasps(hand, grasps);
  const int n = static_cast<int>(grasps.size());
  std::vector<SettledGrasp> out(n);
  const mjModel* m = scene.model.get();
  tbb::enumerable_thread_specific<sim_detail::DataPtr> data([m] { return sim_detail::DataPtr(mj_makeData(m)); });
  auto run_one = [&](int b) {
    const SimGrasp& g = grasps[b];
    const Vec3 pos = g.root_pose.head<3>();
    const Eigen::Quaterniond quat =
        Eigen::Quaterniond(g.root_pose[3], g.root_pose[4], g.root_pose[5], g.root_pose[6]).normalized();
    sim_detail::DataPtr& d = data.local();
    sim_detail::Simulator sim(scene, hand, options);
    try {
      out[b] = sim.settle(d.get(), g, pos, quat);
    } catch (const std::exception& e) {
      out[b] = SettledGrasp{};
      out[b].error = e.what();
      d.reset(mj_makeData(m));  // the data may be inconsistent after a MuJoCo error
    }
  };
  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<int>(0, n, 1),
        [&](const tbb::blocked_range<int>& r) {
          for (int b = r.begin(); b < r.end(); ++b) run_one(b);
        },
        tbb::simple_partitioner());
  });
  return out;
}

}  // namespace graspqp
