// Grasp simulation under a protocol (MuJoCo), one mjData per thread, grasps in parallel.
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/ranges.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <mujoco/mujoco.h>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <Eigen/Geometry>

#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <set>

#include "internal.hpp"
#include "simulator.hpp"

namespace graspqp {

namespace {

using sim_detail::DataPtr;
using sim_detail::SettledState;
using sim_detail::Simulator;
using sim_detail::TrialOutcome;

constexpr double kPi = 3.14159265358979323846;

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform random unit vector (rejection sampling from the cube; portable across standard libraries).
Vec3 random_unit(std::mt19937_64& rng) {
  for (;;) {
    const Vec3 v(2 * uniform01(rng) - 1, 2 * uniform01(rng) - 1, 2 * uniform01(rng) - 1);
    const double n = v.norm();
    if (n > 1e-3 && n <= 1) return v / n;
  }
}

}  // namespace

void validate_eval_options(const EvalOptions& o) {
  validate_protocol(o.protocol);
  require_range("--trials", o.trials, 1, 1000);
  require_range("--threads", o.threads, 0, 4096);
  require_range("--perturb-translation", o.perturb_translation, 0, 0.1, " m");
  require_range("--perturb-rotation", o.perturb_rotation_deg, 0, 180, " deg");
  for (const auto* h : {&o.scene.object_hacd, &o.scene.hand_hacd}) {
    const std::string who = h == &o.scene.object_hacd ? "--concavity" : "hand HACD concavity";
    require_positive(who, h->concavity, 1000);
    require_range(h == &o.scene.object_hacd ? "--hacd-faces" : "hand HACD target faces", h->target_faces, 0, 1e7);
    require_range("HACD min_clusters", h->min_clusters, 1, 1e6);
    require_range("HACD max_vertices_per_hull", h->max_vertices_per_hull, 4, 1e6);
    require_range("HACD compacity_weight", h->compacity_weight, 0, 1e6);
    require_range("HACD volume_weight", h->volume_weight, 0, 1e6);
    require_range("HACD connect_distance", h->connect_distance, 0, 1e6);
  }
  require_range("hand concavity threshold", o.scene.hand_concavity_threshold, 0, 1, " m");
  validate_metrics_options(o.metrics);
}

void begin_sim_batch(const HandModel& hand, const std::vector<SimGrasp>& grasps, const EvalOptions& options) {
  install_mujoco_handlers();
  validate_eval_options(options);
  check_sim_grasps(hand, grasps);
}

void check_sim_grasps(const HandModel& hand, const std::vector<SimGrasp>& grasps) {
  for (size_t b = 0; b < grasps.size(); ++b)
    if (grasps[b].joints.size() != hand.dof() || grasps[b].closing_delta.size() != hand.dof() ||
        !grasps[b].root_pose.allFinite() || !grasps[b].joints.allFinite() || !grasps[b].closing_delta.allFinite())
      throw Error("grasp " + std::to_string(b) + ": joints/closing_delta must have " + std::to_string(hand.dof()) +
                  " finite values and the root pose must be finite");
    else if (!(grasps[b].root_pose.tail<4>().norm() > 1e-12) || grasps[b].root_pose.head<3>().norm() > 1e3)
      throw Error("grasp " + std::to_string(b) +
                  ": the root pose needs a non-zero quaternion and a position within 1 km");
    else if ((grasps[b].pregrasp.size() != 0 || grasps[b].squeeze.size() != 0) &&
             (grasps[b].pregrasp.size() != hand.dof() || grasps[b].squeeze.size() != hand.dof() ||
              !grasps[b].pregrasp.allFinite() || !grasps[b].squeeze.allFinite()))
      throw Error("grasp " + std::to_string(b) + ": pregrasp and squeeze must both be empty or have " +
                  std::to_string(hand.dof()) + " finite values");
}

void for_each_with_data(const mjModel* m, int n, int threads, const std::function<void(int, mjData*)>& task,
                        const std::function<void(int, const std::string&)>& on_error,
                        const std::function<void(int)>& on_done) {
  tbb::enumerable_thread_specific<DataPtr> data([m] { return DataPtr(mj_makeData(m)); });
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<int>(0, n, 1),
        [&](const tbb::blocked_range<int>& r) {
          for (int i = r.begin(); i < r.end(); ++i) {
            DataPtr& d = data.local();
            try {
              task(i, d.get());
            } catch (const std::exception& e) {
              d.reset(mj_makeData(m));
              on_error(i, e.what());
            }
            if (on_done) on_done(i);
          }
        },
        tbb::simple_partitioner());
  });
}

std::vector<GraspEvalResult> simulate_grasps(const SimScene& scene, const HandModel& hand,
                                             const std::vector<SimGrasp>& grasps, const EvalOptions& options,
                                             const EvalProgress& progress) {
  begin_sim_batch(hand, grasps, options);

  const int n = static_cast<int>(grasps.size());
  const int trials = options.trials;
  const int n_tests = static_cast<int>(options.protocol.tests.size());
  std::vector<TrialOutcome> outcomes(static_cast<size_t>(n) * trials);
  std::atomic<int> done{0};
  std::mutex progress_mutex;
  const mjModel* dm = scene.detect_model.get();
  tbb::enumerable_thread_specific<DataPtr> detect_data([dm] { return DataPtr(dm ? mj_makeData(dm) : nullptr); });
  tbb::enumerable_thread_specific<SettledState> settled;
  auto report = [&](int task) {
    if (progress && (task + 1) % trials == 0) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(++done, n);
    }
  };
  auto run_one = [&](int task, mjData* d) {
    const int b = task / trials, trial = task % trials;
    const SimGrasp& g = grasps[b];
    Vec3 pos = g.root_pose.head<3>();
    Eigen::Quaterniond quat = root_quaternion(g);
    if (trial > 0) {
      // Deterministic perturbation of this (grasp, trial): offset and rotation of fixed size, random direction.
      std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(b) * 1000003ull +
                          static_cast<std::uint64_t>(trial));
      pos += options.perturb_translation * random_unit(rng);
      const Vec3 axis = random_unit(rng);
      quat = Eigen::Quaterniond(Eigen::AngleAxisd(options.perturb_rotation_deg * kPi / 180.0, axis)) * quat;
      quat.normalize();
    }
    Simulator sim(scene, hand, options);
    sim.set_detect_data(detect_data.local().get());
    sim.set_settled_state(&settled.local());
    outcomes[task] = sim.run_trial(d, g, pos, quat);
  };
  auto failed = [&](int task, const std::string& what) {
    outcomes[task] = TrialOutcome{};
    outcomes[task].held.assign(n_tests, false);
    outcomes[task].error = what;
  };
  for_each_with_data(scene.model.get(), n * trials, options.threads, run_one, failed, report);

  const SimProtocol& p = options.protocol;
  std::vector<GraspEvalResult> results(n);
  for (int b = 0; b < n; ++b) {
    GraspEvalResult& r = results[b];
    r.trials = trials;
    r.test_success.assign(n_tests, 0.0);
    for (int t = 0; t < trials; ++t) {
      const TrialOutcome& o = outcomes[static_cast<size_t>(b) * trials + t];
      bool any = false, all = !o.held.empty();
      for (int k = 0; k < n_tests; ++k) {
        any = any || o.held[k];
        all = all && o.held[k];
        r.test_success[k] += o.held[k] ? 1.0 / trials : 0.0;
      }
      if (o.prefiltered) any = all = false;
      r.trials_ok_any += any;
      r.trials_ok_all += all;
      r.max_translation = std::max(r.max_translation, o.max_translation);
      r.max_rotation_deg = std::max(r.max_rotation_deg, o.max_rotation_deg);
      r.warnings += o.warnings;
      r.tests_skipped += o.tests_skipped;
      if (t == 0) {
        r.settle_translation = o.settle_translation;
        r.settle_contacts = o.settle_contacts;
        r.initial_penetration = o.initial_penetration;
        r.prefiltered = o.prefiltered;
      }
      if (r.error.empty() && !o.error.empty()) r.error = o.error;
    }
    const double need = p.grasp_success_fraction * trials - 1e-9;
    r.success_any = r.trials_ok_any >= need;
    r.success_all = r.trials_ok_all >= need;
    r.success = p.trial_rule == "all" ? r.success_all : r.success_any;
  }
  return results;
}

std::vector<SimGrasp> dataset_sim_grasps(const HandModel& hand, const GraspDataset& d) {
  if (d.dof() != hand.dof())
    throw Error("grasps have " + std::to_string(d.dof()) + " joints, hand '" + hand.name + "' has " +
                std::to_string(hand.dof()));
  std::vector<int> column(hand.dof());
  for (int a = 0; a < hand.dof(); ++a) {
    column[a] = a;
    if (d.joint_names.empty()) continue;
    const auto it = std::find(d.joint_names.begin(), d.joint_names.end(), hand.joints[a].name);
    if (it == d.joint_names.end())
      throw Error("grasps have no joint '" + hand.joints[a].name + "' of hand '" + hand.name + "'");
    column[a] = static_cast<int>(it - d.joint_names.begin());
  }
  // Which optional per-grasp arrays the file has, once for all rows.
  const bool closing = d.closing_delta.rows() == d.n_grasps() && d.closing_delta.cols() == d.dof();
  const bool poses = d.has_poses();
  std::vector<SimGrasp> out(d.n_grasps());
  for (int b = 0; b < d.n_grasps(); ++b) {
    out[b].root_pose = d.root_pose.row(b).transpose();
    out[b].joints.resize(hand.dof());
    out[b].closing_delta = Eigen::VectorXd::Zero(hand.dof());
    if (poses) out[b].pregrasp.resize(hand.dof()), out[b].squeeze.resize(hand.dof());
    for (int a = 0; a < hand.dof(); ++a) {
      out[b].joints[a] = d.joints(b, column[a]);
      if (closing) out[b].closing_delta[a] = d.closing_delta(b, column[a]);
      if (poses)
        out[b].pregrasp[a] = d.pregrasp_joints(b, column[a]), out[b].squeeze[a] = d.squeeze_joints(b, column[a]);
    }
  }
  return out;
}

void add_analytic_metrics(const HandModel& hand, const ObjectModel& object, const GraspDataset& grasps,
                          std::vector<GraspEvalResult>& results, const EvalOptions& options) {
  if (grasps.n_grasps() == 0 || !hand.has_grasp_type(grasps.grasp_type)) return;
  if (static_cast<int>(results.size()) != grasps.n_grasps()) throw Error("add_analytic_metrics: one result per grasp");
  const auto sim_grasps = dataset_sim_grasps(hand, grasps);
  const GraspType& type = hand.grasp_type(grasps.grasp_type);
  const DenseObjectSample dense = dense_object_sample(object, options.metrics);
  const int n_candidates = static_cast<int>(type.candidates.size());
  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(0, grasps.n_grasps(), [&](int b) {
      std::vector<int> contacts(grasps.contact_idx.row(b).data(),
                                grasps.contact_idx.row(b).data() + grasps.n_contacts());
      std::erase_if(contacts, [&](int c) { return c < 0 || c >= n_candidates; });
      const SimGrasp& g = sim_grasps[b];
      const Eigen::VectorXd x = make_state(g.root_pose.head<3>(), root_quaternion(g).toRotationMatrix(), g.joints);
      const GraspMetrics gm = grasp_metrics(hand, type, object, dense, x, contacts, options.metrics);
      GraspEvalResult& r = results[b];
      r.penetration_depth = gm.penetration_depth;
      r.self_penetration = gm.self_penetration;
      r.q1 = gm.q1;
      double sum = 0, mx = 0;
      for (double c : gm.contact_distance) {
        sum += c;
        mx = std::max(mx, c);
      }
      r.contact_distance_mean = gm.contact_distance.empty() ? 0.0 : sum / gm.contact_distance.size();
      r.contact_distance_max = mx;
    });
  });
}

std::vector<GraspEvalResult> evaluate_grasps(const HandModel& hand, const ObjectModel& object,
                                             const GraspDataset& grasps, const EvalOptions& options,
                                             const EvalProgress& progress, std::shared_ptr<const SimScene>* scene_out) {
  const auto sim_grasps = dataset_sim_grasps(hand, grasps);
  auto scene = build_sim_scene(hand, object, options.protocol, options.scene);
  if (scene_out) *scene_out = scene;
  auto results = simulate_grasps(*scene, hand, sim_grasps, options, progress);
  if (options.analytic_metrics) add_analytic_metrics(hand, object, grasps, results, options);
  return results;
}

nlohmann::json eval_options_json(const EvalOptions& o) {
  auto hacd = [](const HacdOptions& h) {
    return nlohmann::json{{"concavity", h.concavity},
                          {"min_clusters", h.min_clusters},
                          {"max_vertices_per_hull", h.max_vertices_per_hull},
                          {"compacity_weight", h.compacity_weight},
                          {"volume_weight", h.volume_weight},
                          {"connect_distance", h.connect_distance},
                          {"add_extra_dist_points", h.add_extra_dist_points},
                          {"add_faces_points", h.add_faces_points},
                          {"target_faces", h.target_faces}};
  };
  return {{"trials", o.trials},
          {"perturb_translation", o.perturb_translation},
          {"perturb_rotation_deg", o.perturb_rotation_deg},
          {"seed", o.seed},
          {"object_hacd", hacd(o.scene.object_hacd)},
          {"hand_hacd", hacd(o.scene.hand_hacd)},
          {"hand_concavity_threshold", o.scene.hand_concavity_threshold},
          {"object_parts", o.scene.object_parts.string()},
          {"analytic_metrics", o.analytic_metrics},
          {"metrics",
           {{"contact_threshold", o.metrics.contact_threshold},
            {"q1_friction", o.metrics.q1.friction},
            {"dense_samples", o.metrics.dense_samples}}}};
}

}  // namespace graspqp
