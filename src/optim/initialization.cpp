#include <graspqp/error.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/optim/initialization.hpp>

#include <algorithm>
#include <numeric>

namespace graspqp {

std::vector<HullAnchor> hull_anchors(const ObjectModel& object, int count, const InitOptions& options,
                                     std::uint64_t seed) {
  const int dense_n = std::max(100 * count, 1000);
  const auto samples = sample_surface(object.hull, dense_n, seed);
  std::vector<Vec3> offset(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) offset[i] = samples[i].position + options.hull_offset * samples[i].normal;
  // FPS from a seeded start, so different seeds (and resets) see different anchor sets.
  const int start = static_cast<int>(splitmix64(seed) % offset.size());
  std::vector<HullAnchor> anchors;
  for (int i : farthest_point_sampling(offset, std::min<int>(count, offset.size()), start))
    anchors.push_back({offset[i], -samples[i].normal});
  while (static_cast<int>(anchors.size()) < count)
    anchors.push_back(anchors[anchors.size() % std::max<size_t>(1, offset.size())]);
  return anchors;
}

Mat3 look_at_rotation(const Vec3& approach_axis, const Vec3& up_axis, const Vec3& inward) {
  // Hand frame basis (a, u, a x u) -> world basis (inward, up', inward x up').
  Vec3 world_up = Vec3::UnitX();
  if (std::abs(world_up.dot(inward)) >= 0.95) world_up = Vec3::UnitY();
  const Vec3 up = (world_up - world_up.dot(inward) * inward).normalized();
  Mat3 hand_basis, world_basis;
  const Vec3 a = approach_axis.normalized();
  const Vec3 u = (up_axis - up_axis.dot(a) * a).normalized();
  hand_basis << a, u, a.cross(u);
  world_basis << inward, up, inward.cross(up);
  return world_basis * hand_basis.transpose();
}

Eigen::VectorXd initial_state(const HandModel& hand, const GraspType& grasp_type, const HullAnchor& anchor,
                              const InitOptions& options, Rng& rng) {
  const Vec3 a = hand.approach_axis.normalized();
  const Vec3 u = (hand.up_axis - hand.up_axis.dot(a) * a).normalized();
  const double tilt = rng.uniform(-options.tilt_range, options.tilt_range);
  const double pitch = rng.uniform(-options.pitch_range, options.pitch_range);
  const double roll = rng.uniform(-options.roll_range, options.roll_range);
  const Mat3 R = look_at_rotation(a, u, anchor.inward) *
                 (Eigen::AngleAxisd(tilt, u) * Eigen::AngleAxisd(pitch, a.cross(u)) * Eigen::AngleAxisd(roll, a))
                     .toRotationMatrix();
  const double distance = rng.uniform(options.distance_lower, options.distance_upper);
  const Vec3 t = anchor.point - distance * anchor.inward;
  Eigen::VectorXd q = hand.default_joints();
  for (int j = 0; j < hand.dof(); ++j) {
    const ActuatedJoint& joint = hand.joints[j];
    auto it = grasp_type.init_pose.find(joint.name);
    const double mean = std::clamp(it != grasp_type.init_pose.end() ? it->second : q[j], joint.lower, joint.upper);
    q[j] = rng.truncated_normal(mean, options.joint_jitter * (joint.upper - joint.lower), joint.lower, joint.upper);
  }
  return make_state(t, R, q);
}

std::vector<int> random_contacts(int n_candidates, int n_contacts, Rng& rng) {
  std::vector<int> out(n_contacts);
  if (n_contacts > n_candidates) {
    for (int& c : out) c = rng.uniform_int(n_candidates);
    return out;
  }
  // Partial Fisher-Yates: distinct indices.
  std::vector<int> pool(n_candidates);
  std::iota(pool.begin(), pool.end(), 0);
  for (int i = 0; i < n_contacts; ++i) {
    const int j = i + rng.uniform_int(n_candidates - i);
    std::swap(pool[i], pool[j]);
    out[i] = pool[i];
  }
  return out;
}

InitOptions apply_init_settings(InitOptions o, const std::map<std::string, double>& settings) {
  for (const auto& [key, value] : settings) {
    double* field = init_setting(o, key);
    if (!field) throw Error("unknown init setting '" + key + "'");
    *field = value;
  }
  if (o.distance_lower > o.distance_upper)
    throw Error("init: distance_lower (" + std::to_string(o.distance_lower) + ") exceeds distance_upper (" +
                std::to_string(o.distance_upper) + ")");
  return o;
}

}  // namespace graspqp
