// Grasp simulation under a protocol (MuJoCo), one mjData per thread, grasps in parallel.
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
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

namespace graspqp {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct DataDeleter {
  void operator()(mjData* d) const { mj_deleteData(d); }
};
using DataPtr = std::unique_ptr<mjData, DataDeleter>;

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform random unit vector (rejection sampling from the cube; portable across standard libraries).
Vec3 random_unit(std::mt19937_64& rng) {
  for (;;) {
    const Vec3 v(2 * uniform01(rng) - 1, 2 * uniform01(rng) - 1, 2 * uniform01(rng) - 1);
    const double n = v.norm();
    if (n > 1e-3 && n <= 1) return v / n;
  }
}

struct Segment {
  long steps = 0;
  int pull = -1;  // index into the test's directions, -1: no disturbance
};

struct TestOutcome {
  bool held = true;
  double max_translation = 0, max_rotation_deg = 0;
  double settle_translation = 0;
  int settle_contacts = 0;
};

struct TrialOutcome {
  std::vector<bool> held;  // per test
  double max_translation = 0, max_rotation_deg = 0;
  double settle_translation = 0;
  int settle_contacts = 0;
  double initial_penetration = 0;
  bool prefiltered = false;
  int warnings = 0;
  std::string error;
};

class Simulator {
 public:
  Simulator(const SimScene& scene, const HandModel& hand, const EvalOptions& options)
      : s_(scene), hand_(hand), o_(options), p_(options.protocol), m_(scene.model.get()) {}
  void set_detect_data(mjData* d) { detect_data_ = d; }

  TrialOutcome run_trial(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat) {
    TrialOutcome out;
    const int n_tests = static_cast<int>(p_.tests.size());
    out.held.assign(n_tests, false);
    start_ = g.joints;
    delta_ = p_.closing_scale * g.closing_delta;

    reset(d, g, pos, quat);
    out.initial_penetration = std::max(0.0, -min_hand_object_distance(d));
    if (p_.max_initial_penetration > 0 && out.initial_penetration > p_.max_initial_penetration) {
      out.prefiltered = true;
      return out;
    }
    for (int t = 0; t < n_tests; ++t) {
      if (t > 0) reset(d, g, pos, quat);
      const TestOutcome r = run_test(d, t);
      out.held[t] = r.held;
      out.max_translation = std::max(out.max_translation, r.max_translation);
      out.max_rotation_deg = std::max(out.max_rotation_deg, r.max_rotation_deg);
      if (t == 0) {
        out.settle_translation = r.settle_translation;
        out.settle_contacts = r.settle_contacts;
      }
      int warnings = 0;
      for (int w = 0; w < mjNWARNING; ++w) warnings += d->warning[w].number;
      out.warnings += warnings;
      if (d->warning[mjWARN_BADQACC].number > 0 || !std::isfinite(d->qpos[s_.object_qpos])) {
        out.error = "simulation unstable (bad acceleration)";
        std::fill(out.held.begin(), out.held.end(), false);
        return out;
      }
    }
    return out;
  }

 private:
  const SimScene& s_;
  const HandModel& hand_;
  const EvalOptions& o_;
  const SimProtocol& p_;
  const mjModel* m_;
  mjData* detect_data_ = nullptr;  // the thread's data of scene.detect_model (when there is one)
  std::vector<double> joint_value_;
  Eigen::VectorXd start_, delta_;

  // Joint targets at time t of a test: a ramp at each joint's max_velocity (a step without a limit).
  void set_targets(mjData* d, double t) const {
    for (int a = 0; a < hand_.dof(); ++a) {
      double step = delta_[a];
      const double v = s_.hand_params.joints[a].max_velocity;
      if (p_.closing_velocity_limit && v > 0) step = std::clamp(delta_[a], -v * t, v * t);
      d->ctrl[s_.actuator[a]] = start_[a] + step;
    }
  }

  bool is_object_geom(int g) const { return g >= s_.object_geom_begin && g < s_.object_geom_end; }
  bool is_hand_geom(int g) const { return g >= s_.hand_geom_begin && g < s_.hand_geom_end; }

  void reset(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat) {
    mj_resetData(m_, d);
    for (int k = 0; k < 3; ++k) d->mocap_pos[3 * s_.mocap + k] = pos[k];
    d->mocap_quat[4 * s_.mocap + 0] = quat.w();
    d->mocap_quat[4 * s_.mocap + 1] = quat.x();
    d->mocap_quat[4 * s_.mocap + 2] = quat.y();
    d->mocap_quat[4 * s_.mocap + 3] = quat.z();
    coupled_joint_values(hand_, g.joints, joint_value_);
    for (size_t l = 0; l < hand_.links.size(); ++l)
      if (s_.link_qpos[l] >= 0) d->qpos[s_.link_qpos[l]] = joint_value_[l];
    double* oq = d->qpos + s_.object_qpos;
    oq[0] = oq[1] = oq[2] = 0;
    oq[3] = 1;
    oq[4] = oq[5] = oq[6] = 0;
    set_targets(d, 0.0);
    mj_forward(m_, d);
  }

  // Smallest signed distance over hand-object contacts (+inf without contacts).
  double min_hand_object_distance(const mjData* d) const {
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < d->ncon; ++i) {
      const mjContact& c = d->contact[i];
      if ((is_object_geom(c.geom1) && is_hand_geom(c.geom2)) || (is_object_geom(c.geom2) && is_hand_geom(c.geom1)))
        best = std::min(best, static_cast<double>(c.dist));
    }
    return best;
  }

  int hand_bodies_touching(const mjData* d, double tolerance) const {
    std::set<int> bodies;
    for (int i = 0; i < d->ncon; ++i) {
      const mjContact& c = d->contact[i];
      if (c.dist > tolerance) continue;
      if (is_object_geom(c.geom1) && is_hand_geom(c.geom2)) bodies.insert(m_->geom_bodyid[c.geom2]);
      if (is_object_geom(c.geom2) && is_hand_geom(c.geom1)) bodies.insert(m_->geom_bodyid[c.geom1]);
    }
    return static_cast<int>(bodies.size());
  }

  bool separated_for_good(const mjData* d, const Vec3& force) const {
    const Vec3 root(d->mocap_pos[3 * s_.mocap], d->mocap_pos[3 * s_.mocap + 1], d->mocap_pos[3 * s_.mocap + 2]);
    const Vec3 com(d->xipos[3 * s_.object_body], d->xipos[3 * s_.object_body + 1], d->xipos[3 * s_.object_body + 2]);
    const Vec3 rel = com - root;
    const double dist = rel.norm();
    const double reach = s_.hand_reach + s_.object_radius + std::max(p_.contact_detect_distance, 0.0) + p_.margin + 0.01;
    if (!(dist > reach)) return false;
    const Vec3 dir = rel / dist;
    // Free joint: linear velocity of the body origin (world frame), angular velocity in the body frame.
    const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> R(d->xmat + 9 * s_.object_body);
    const Vec3 omega = R * Vec3(d->qvel[s_.object_dof + 3], d->qvel[s_.object_dof + 4], d->qvel[s_.object_dof + 5]);
    const Vec3 origin(d->xpos[3 * s_.object_body], d->xpos[3 * s_.object_body + 1], d->xpos[3 * s_.object_body + 2]);
    const Vec3 vel = Vec3(d->qvel[s_.object_dof], d->qvel[s_.object_dof + 1], d->qvel[s_.object_dof + 2]) +
                     omega.cross(com - origin);
    const Vec3 acc = force / s_.object_mass + Vec3(0, 0, -p_.gravity);
    return vel.dot(dir) > 0 && acc.dot(dir) >= 0;
  }

  long steps_of(double seconds) const { return std::max(0L, std::lround(seconds / p_.timestep)); }

  TestOutcome run_test(mjData* d, int test) {
    TestOutcome r;
    const auto& pulls = p_.tests[test];
    std::vector<Segment> segments;
    const long settle = steps_of(p_.settle_time);
    segments.push_back({settle, p_.disturb_during_settle && !pulls.empty() ? 0 : -1});
    for (size_t k = 0; k < pulls.size(); ++k) {
      if (k > 0 && p_.pull_gap > 0) segments.push_back({steps_of(p_.pull_gap), -1});
      segments.push_back({steps_of(p_.pull_duration), static_cast<int>(k)});
    }
    if (p_.tail_time > 0) segments.push_back({steps_of(p_.tail_time), -1});
    long total = 0;
    for (const auto& sgm : segments) total += sgm.steps;
    const long check_every = p_.check_interval > 0 ? std::max(1L, steps_of(p_.check_interval)) : 0;
    const double force_scale = p_.disturbance == "force" ? p_.magnitude : p_.magnitude * s_.object_mass;
    // Reference pose of the displacement: the initial pose, or the pose after the settle time.
    const double* q0 = d->qpos + s_.object_qpos;
    Vec3 ref_pos(q0[0], q0[1], q0[2]);
    Eigen::Quaterniond ref_quat(q0[3], q0[4], q0[5], q0[6]);
    const bool from_settled = p_.measure_from_settled && settle > 0;

    auto measure = [&](double& trans, double& rot_deg) {
      const double* q = d->qpos + s_.object_qpos;
      trans = (Vec3(q[0], q[1], q[2]) - ref_pos).norm();
      const Eigen::Quaterniond cur(q[3], q[4], q[5], q[6]);
      const double w = std::min(1.0, std::abs(ref_quat.normalized().dot(cur.normalized())));
      rot_deg = 2 * std::acos(w) * 180.0 / kPi;
      if (!std::isfinite(trans)) trans = std::numeric_limits<double>::infinity();
      if (!std::isfinite(rot_deg)) rot_deg = 180;
    };
    auto fails = [&](double trans, double rot_deg) {
      return (p_.max_translation > 0 && trans > p_.max_translation) ||
             (p_.max_rotation_deg > 0 && rot_deg > p_.max_rotation_deg);
    };

    long step = 0;
    double* xfrc = d->xfrc_applied + 6 * s_.object_body;
    for (const auto& sgm : segments) {
      Vec3 f = Vec3::Zero();
      if (sgm.pull >= 0) f = pulls[sgm.pull].normalized() * force_scale;
      for (long k = 0; k < sgm.steps; ++k) {
        for (int i = 0; i < 3; ++i) xfrc[i] = f[i];
        set_targets(d, step * p_.timestep);
        mj_step(m_, d);
        ++step;
        if (d->warning[mjWARN_BADQACC].number > 0) {
          r.held = false;
          return r;
        }
        // With require_contact, a test is lost once the object is out of the hand's reach and moves away
        // under a force that points away: it can never come back (early stop; exact, no other forces act).
        if (p_.require_contact && step % 10 == 0 && separated_for_good(d, f)) {
          r.held = false;
          return r;
        }
        if (step == settle) {
          double rot;
          measure(r.settle_translation, rot);
          r.settle_contacts = hand_bodies_touching(d, 1e-3);
          if (from_settled) {
            const double* q = d->qpos + s_.object_qpos;
            ref_pos = Vec3(q[0], q[1], q[2]);
            ref_quat = Eigen::Quaterniond(q[3], q[4], q[5], q[6]);
          }
        }
        const bool check = (check_every > 0 && step % check_every == 0) || step == total;
        if (check && ((p_.check_during_settle && !from_settled) || step > settle)) {
          double trans, rot;
          measure(trans, rot);
          r.max_translation = std::max(r.max_translation, trans);
          r.max_rotation_deg = std::max(r.max_rotation_deg, rot);
          if (fails(trans, rot)) {
            r.held = false;
            return r;  // early stop: the test failed
          }
        }
      }
    }
    for (int i = 0; i < 3; ++i) xfrc[i] = 0;
    if (p_.require_contact) {
      // Contacts of the final state, with the widened margin of the detect model when there is one.
      const mjData* cd = d;
      if (s_.detect_model) {
        const mjModel* dm = s_.detect_model.get();
        mjData* dd = detect_data_;
        std::copy(d->qpos, d->qpos + dm->nq, dd->qpos);
        std::copy(d->mocap_pos, d->mocap_pos + 3 * dm->nmocap, dd->mocap_pos);
        std::copy(d->mocap_quat, d->mocap_quat + 4 * dm->nmocap, dd->mocap_quat);
        mj_kinematics(dm, dd);
        mj_collision(dm, dd);
        cd = dd;
      } else {
        mj_forward(m_, d);
      }
      const double tol = std::max(p_.contact_detect_distance, 0.0) + p_.margin + 1e-9;
      if (!(min_hand_object_distance(cd) <= tol)) r.held = false;
    }
    return r;
  }
};

}  // namespace

std::vector<GraspEvalResult> simulate_grasps(const SimScene& scene, const HandModel& hand,
                                             const std::vector<SimGrasp>& grasps, const EvalOptions& options,
                                             const EvalProgress& progress) {
  install_mujoco_handlers();
  validate_protocol(options.protocol);
  if (options.trials < 1) throw Error("trials must be >= 1");
  for (size_t b = 0; b < grasps.size(); ++b)
    if (grasps[b].joints.size() != hand.dof() || grasps[b].closing_delta.size() != hand.dof() ||
        !grasps[b].root_pose.allFinite() || !grasps[b].joints.allFinite() || !grasps[b].closing_delta.allFinite())
      throw Error("grasp " + std::to_string(b) + ": joints/closing_delta must have " + std::to_string(hand.dof()) +
                  " finite values and the root pose must be finite");

  const int n = static_cast<int>(grasps.size());
  const int trials = options.trials;
  const int n_tests = static_cast<int>(options.protocol.tests.size());
  std::vector<TrialOutcome> outcomes(static_cast<size_t>(n) * trials);
  std::atomic<int> done{0};
  std::mutex progress_mutex;
  const mjModel* m = scene.model.get();
  tbb::enumerable_thread_specific<DataPtr> data([m] { return DataPtr(mj_makeData(m)); });
  const mjModel* dm = scene.detect_model.get();
  tbb::enumerable_thread_specific<DataPtr> detect_data([dm] { return DataPtr(dm ? mj_makeData(dm) : nullptr); });

  auto run_one = [&](int task) {
    const int b = task / trials, trial = task % trials;
    const SimGrasp& g = grasps[b];
    Vec3 pos = g.root_pose.head<3>();
    Eigen::Quaterniond quat(g.root_pose[3], g.root_pose[4], g.root_pose[5], g.root_pose[6]);
    quat.normalize();
    if (trial > 0) {
      // Deterministic perturbation of this (grasp, trial): offset and rotation of fixed size, random direction.
      std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(b) * 1000003ull +
                          static_cast<std::uint64_t>(trial));
      pos += options.perturb_translation * random_unit(rng);
      const Vec3 axis = random_unit(rng);
      quat = Eigen::Quaterniond(Eigen::AngleAxisd(options.perturb_rotation_deg * kPi / 180.0, axis)) * quat;
      quat.normalize();
    }
    DataPtr& d = data.local();
    Simulator sim(scene, hand, options);
    sim.set_detect_data(detect_data.local().get());
    TrialOutcome& out = outcomes[task];
    try {
      out = sim.run_trial(d.get(), g, pos, quat);
    } catch (const std::exception& e) {
      out = TrialOutcome{};
      out.held.assign(n_tests, false);
      out.error = e.what();
      d.reset(mj_makeData(m));  // the data may be inconsistent after a MuJoCo error
    }
    if (progress && (task + 1) % trials == 0) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(++done, n);
    }
  };

  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<int>(0, n * trials, 1),
                      [&](const tbb::blocked_range<int>& r) {
                        for (int t = r.begin(); t < r.end(); ++t) run_one(t);
                      },
                      tbb::simple_partitioner());
  });

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
  std::vector<SimGrasp> out(d.n_grasps());
  for (int b = 0; b < d.n_grasps(); ++b) {
    out[b].root_pose = d.root_pose.row(b).transpose();
    out[b].joints.resize(hand.dof());
    out[b].closing_delta = Eigen::VectorXd::Zero(hand.dof());
    for (int a = 0; a < hand.dof(); ++a) {
      out[b].joints[a] = d.joints(b, column[a]);
      if (d.closing_delta.rows() == d.n_grasps() && d.closing_delta.cols() == d.dof())
        out[b].closing_delta[a] = d.closing_delta(b, column[a]);
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
      std::vector<int> contacts(grasps.contact_idx.row(b).data(), grasps.contact_idx.row(b).data() + grasps.n_contacts());
      std::erase_if(contacts, [&](int c) { return c < 0 || c >= n_candidates; });
      const SimGrasp& g = sim_grasps[b];
      const Eigen::Quaterniond q(g.root_pose[3], g.root_pose[4], g.root_pose[5], g.root_pose[6]);
      const Eigen::VectorXd x = make_state(g.root_pose.head<3>(), q.normalized().toRotationMatrix(), g.joints);
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
          {"metrics", {{"contact_threshold", o.metrics.contact_threshold},
                       {"q1_friction", o.metrics.q1.friction},
                       {"dense_samples", o.metrics.dense_samples}}}};
}

}  // namespace graspqp
