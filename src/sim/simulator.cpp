// One grasp trial in MuJoCo under a protocol (see simulator.hpp).
#include <graspqp/hand/kinematics.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "simulator.hpp"

namespace graspqp::sim_detail {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

bool Simulator::shares_settle() const {
  return settled_ && !p_.disturb_during_settle && p_.tests.size() > 1 && steps_of(p_.settle_time) > 0;
}

void Simulator::prepare(const SimGrasp& g) {
  start_ = g.joints;
  delta_ = p_.closing_scale * g.closing_delta;
  if (p_.closing == "stages") {
    const int dof = hand_.dof();
    if (p_.stage_poses == "file" && g.pregrasp.size() == dof && g.squeeze.size() == dof) {
      pregrasp_ = g.pregrasp;  // the dataset's own poses
      delta_ = g.squeeze - g.joints;
    } else {  // the pregrasp: opened along the closing command, within the joint limits
      pregrasp_ = pregrasp_joints(hand_, g.joints, g.closing_delta, p_.pregrasp_scale);
    }
  }
}

TrialOutcome Simulator::run_trial(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat) {
  TrialOutcome out;
  const int n_tests = static_cast<int>(p_.tests.size());
  out.held.assign(n_tests, false);
  prepare(g);
  reset(d, g, pos, quat);
  out.initial_penetration = std::max(0.0, -min_hand_object_distance(d));
  if (p_.max_initial_penetration > 0 && out.initial_penetration > p_.max_initial_penetration) {
    out.prefiltered = true;
    return out;
  }
  const bool share = shares_settle();
  if (share) settled_->captured = false;
  TestOutcome first;
  for (int t = 0; t < n_tests; ++t) {
    TestOutcome r;
    if (!share || t == 0) {
      if (t > 0) reset(d, g, pos, quat);
      r = run_test(d, t, false, share);
      first = r;
    } else if (settled_->captured) {
      r = run_test(d, t, true, false);
    } else {
      r = first;  // the first test ended within the settle time: every test ends there the same way
    }
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
    const bool decided = p_.trial_rule == "all" ? !r.held : r.held;
    if (p_.stop_at_verdict && decided) {
      out.tests_skipped = n_tests - 1 - t;
      break;
    }
  }
  return out;
}

// Joint targets at time t of a test: a ramp at each joint's max_velocity (a step without a limit), or the
// closing stages pregrasp -> grasp -> squeeze, one target per stage_substeps steps (DexGraspBench's
// control_hand_with_interp: targets linspace(from, to, n + 1)[1:]).
void Simulator::set_targets(mjData* d, double t) const {
  if (p_.closing == "stages") {
    const long step = std::lround(t / p_.timestep), n = p_.stage_steps;
    const long j = step / p_.stage_substeps;  // the target's index over both stages
    for (int a = 0; a < hand_.dof(); ++a) {
      const double grasp = start_[a], squeeze = start_[a] + delta_[a];
      double target = squeeze;
      if (j < n)
        target = pregrasp_[a] + (grasp - pregrasp_[a]) * static_cast<double>(j + 1) / n;
      else if (j < 2 * n)
        target = grasp + (squeeze - grasp) * static_cast<double>(j - n + 1) / n;
      d->ctrl[s_.actuator[a]] = target;
    }
    return;
  }
  for (int a = 0; a < hand_.dof(); ++a) {
    double step = delta_[a];
    const double v = s_.hand_params.joints[a].max_velocity;
    if (p_.closing_velocity_limit && v > 0) step = std::clamp(delta_[a], -v * t, v * t);
    d->ctrl[s_.actuator[a]] = start_[a] + step;
  }
}

void Simulator::reset(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat) {
  mj_resetData(m_, d);
  for (int k = 0; k < 3; ++k) d->mocap_pos[3 * s_.mocap + k] = pos[k];
  d->mocap_quat[4 * s_.mocap + 0] = quat.w();
  d->mocap_quat[4 * s_.mocap + 1] = quat.x();
  d->mocap_quat[4 * s_.mocap + 2] = quat.y();
  d->mocap_quat[4 * s_.mocap + 3] = quat.z();
  if (s_.root_qpos >= 0) {  // floating root: starts at the mocap pose it is welded to
    double* rq = d->qpos + s_.root_qpos;
    for (int k = 0; k < 3; ++k) rq[k] = pos[k];
    rq[3] = quat.w(), rq[4] = quat.x(), rq[5] = quat.y(), rq[6] = quat.z();
  }
  const bool stages = p_.closing == "stages";
  coupled_joint_values(hand_, stages ? pregrasp_ : g.joints, joint_value_);
  for (size_t l = 0; l < hand_.links.size(); ++l)
    if (s_.link_qpos[l] >= 0) d->qpos[s_.link_qpos[l]] = joint_value_[l];
  double* oq = d->qpos + s_.object_qpos;
  oq[0] = oq[1] = oq[2] = 0;
  oq[3] = 1;
  oq[4] = oq[5] = oq[6] = 0;
  if (stages)  // at rest at the pregrasp (DexGraspBench's keyframe ctrl); the first stage target comes with step 0
    for (int a = 0; a < hand_.dof(); ++a) d->ctrl[s_.actuator[a]] = pregrasp_[a];
  else
    set_targets(d, 0.0);
  mj_forward(m_, d);
}

Vec3 Simulator::clear_of_object(mjData* d, const SimGrasp& g, Vec3 pos, const Eigen::Quaterniond& quat,
                                double tolerance, int max_rounds) {
  prepare(g);
  for (int round = 0; round < max_rounds; ++round) {
    reset(d, g, pos, quat);
    double deepest = -tolerance;
    Vec3 away = Vec3::Zero();
    for (int i = 0; i < d->ncon; ++i) {
      const mjContact& c = d->contact[i];
      const bool object_first = is_object_geom(c.geom1) && is_hand_geom(c.geom2);
      if (!object_first && !(is_object_geom(c.geom2) && is_hand_geom(c.geom1))) continue;
      if (c.dist >= deepest) continue;
      deepest = c.dist;
      const Vec3 normal(c.frame[0], c.frame[1], c.frame[2]);  // from geom1 to geom2
      away = object_first ? normal : Vec3(-normal);
    }
    if (deepest >= -tolerance) break;
    pos += away * (-deepest);
  }
  return pos;
}

// Smallest signed distance over hand-object contacts (+inf without contacts).
double Simulator::min_hand_object_distance(const mjData* d) const {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < d->ncon; ++i) {
    const mjContact& c = d->contact[i];
    if ((is_object_geom(c.geom1) && is_hand_geom(c.geom2)) || (is_object_geom(c.geom2) && is_hand_geom(c.geom1)))
      best = std::min(best, static_cast<double>(c.dist));
  }
  return best;
}

int Simulator::hand_bodies_touching(const mjData* d, double tolerance) const {
  std::set<int> bodies;
  for (int i = 0; i < d->ncon; ++i) {
    const mjContact& c = d->contact[i];
    if (c.dist > tolerance) continue;
    if (is_object_geom(c.geom1) && is_hand_geom(c.geom2)) bodies.insert(m_->geom_bodyid[c.geom2]);
    if (is_object_geom(c.geom2) && is_hand_geom(c.geom1)) bodies.insert(m_->geom_bodyid[c.geom1]);
  }
  return static_cast<int>(bodies.size());
}

bool Simulator::separated_for_good(const mjData* d, const Vec3& force) const {
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
  const Vec3 vel =
      Vec3(d->qvel[s_.object_dof], d->qvel[s_.object_dof + 1], d->qvel[s_.object_dof + 2]) + omega.cross(com - origin);
  const Vec3 acc = force / s_.object_mass + Vec3(0, 0, -p_.gravity);
  return vel.dot(dir) > 0 && acc.dot(dir) >= 0;
}

TestOutcome Simulator::run_test(mjData* d, int test, bool resume, bool capture) {
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

  // False (and trans, rot_deg untouched) when the object's state is no longer finite: the test fails, and
  // the maxima keep the last finite values (no infinity reaches the results).
  auto measure = [&](double& trans, double& rot_deg) {
    const double* q = d->qpos + s_.object_qpos;
    const double t = (Vec3(q[0], q[1], q[2]) - ref_pos).norm();
    const Eigen::Quaterniond cur(q[3], q[4], q[5], q[6]);
    const double w = std::min(1.0, std::abs(ref_quat.normalized().dot(cur.normalized())));
    const double r = 2 * std::acos(w) * 180.0 / kPi;
    if (!std::isfinite(t) || !std::isfinite(r)) return false;
    trans = t;
    rot_deg = r;
    return true;
  };
  auto fails = [&](double trans, double rot_deg) {
    return (p_.max_translation > 0 && trans > p_.max_translation) ||
           (p_.max_rotation_deg > 0 && rot_deg > p_.max_rotation_deg);
  };

  long step = 0;
  size_t first_segment = 0;
  if (resume) {
    // Continue from the shared settled state: the settle segment is done.
    mj_copyData(d, m_, settled_->data.get());
    r = settled_->outcome;
    ref_pos = settled_->ref_pos;
    ref_quat = settled_->ref_quat;
    step = settle;
    first_segment = 1;
  }
  double* xfrc = d->xfrc_applied + 6 * s_.object_body;
  for (size_t si = first_segment; si < segments.size(); ++si) {
    const Segment& sgm = segments[si];
    Vec3 f = Vec3::Zero();
    if (sgm.pull >= 0) f = pulls[sgm.pull].normalized() * force_scale;
    for (long k = 0; k < sgm.steps; ++k) {
      for (int i = 0; i < 3; ++i) xfrc[i] = f[i];
      set_targets(d, step * p_.timestep);
      mj_step(m_, d);
      if (observer_) observer_(test, step, d);
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
        double rot = 0;
        if (!measure(r.settle_translation, rot)) {
          r.held = false;
          return r;
        }
        r.settle_contacts = hand_bodies_touching(d, 1e-3);
        if (from_settled) {
          const double* q = d->qpos + s_.object_qpos;
          ref_pos = Vec3(q[0], q[1], q[2]);
          ref_quat = Eigen::Quaterniond(q[3], q[4], q[5], q[6]);
        }
      }
      const bool check = (check_every > 0 && step % check_every == 0) || step == total;
      if (check && ((p_.check_during_settle && !from_settled) || step > settle)) {
        double trans = 0, rot = 0;
        if (!measure(trans, rot)) {
          r.held = false;
          return r;
        }
        r.max_translation = std::max(r.max_translation, trans);
        r.max_rotation_deg = std::max(r.max_rotation_deg, rot);
        if (fails(trans, rot)) {
          r.held = false;
          return r;  // early stop: the test failed
        }
      }
      if (capture && step == settle) {
        if (!settled_->data) settled_->data.reset(mj_makeData(m_));
        mj_copyData(settled_->data.get(), m_, d);
        settled_->outcome = r;
        settled_->ref_pos = ref_pos;
        settled_->ref_quat = ref_quat;
        settled_->captured = true;
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

SettledGrasp Simulator::settle(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat) {
  SettledGrasp out;
  prepare(g);
  reset(d, g, pos, quat);
  const long steps = steps_of(p_.settle_time);
  for (long step = 0; step < steps; ++step) {
    set_targets(d, step * p_.timestep);
    mj_step(m_, d);
    if (d->warning[mjWARN_BADQACC].number > 0) {
      out.error = "simulation unstable (bad acceleration)";
      return out;
    }
  }
  mj_kinematics(m_, d);  // positions of the final state (mj_step leaves those of the state before its update)
  const double* oq = d->qpos + s_.object_qpos;
  const Vec3 object_pos(oq[0], oq[1], oq[2]);
  const Eigen::Quaterniond object_quat = Eigen::Quaterniond(oq[3], oq[4], oq[5], oq[6]).normalized();
  const int root = s_.link_body[0];
  const Vec3 root_pos(d->xpos[3 * root], d->xpos[3 * root + 1], d->xpos[3 * root + 2]);
  const double* rq = d->xquat + 4 * root;
  const Eigen::Quaterniond root_quat = Eigen::Quaterniond(rq[0], rq[1], rq[2], rq[3]).normalized();
  if (!object_pos.allFinite() || !root_pos.allFinite() || !object_quat.coeffs().allFinite() ||
      !root_quat.coeffs().allFinite()) {
    out.error = "simulation unstable (non-finite state)";
    return out;
  }
  // The hand in the settled object's frame (the object starts at the world origin, unrotated).
  const Eigen::Quaterniond rel_quat = object_quat.conjugate() * root_quat;
  out.root_pose.head<3>() = object_quat.conjugate() * (root_pos - object_pos);
  out.root_pose.tail<4>() << rel_quat.w(), rel_quat.x(), rel_quat.y(), rel_quat.z();
  // Actuated joints from the qpos of the links they drive (value = multiplier x q + offset), in limits.
  out.joints.resize(hand_.dof());
  for (int a = 0; a < hand_.dof(); ++a) {
    const ActuatedJoint& joint = hand_.joints[a];
    const LinkModel& link = hand_.links[joint.link];
    const int adr = s_.link_qpos[joint.link];
    double q = adr >= 0 ? (d->qpos[adr] - link.offset) / link.multiplier : g.joints[a];
    if (joint.upper > joint.lower) q = std::clamp(q, joint.lower, joint.upper);
    out.joints[a] = q;
  }
  out.object_translation = object_pos.norm();
  out.object_rotation_deg = 2 * std::acos(std::min(1.0, std::abs(object_quat.w()))) * 180.0 / kPi;
  out.contacts = hand_bodies_touching(d, 1e-3);
  return out;
}

}  // namespace graspqp::sim_detail
