#pragma once
// Convex-hull initialization (reference §1.8): the hand starts 5-10 cm beyond a point 1 cm outside
// the object's convex hull, its approach axis towards the object, with a random roll (±180°),
// pitch (±15°) and tilt (±45°), joints from a truncated normal around the grasp type's initial pose.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/object/object_model.hpp>
#include <graspqp/optim/random.hpp>

namespace graspqp {

// The settings of hand/hand_model.hpp's InitSettings (the hand's "init" defaults and `generate`'s
// overrides use the same names).
struct InitOptions : InitSettings {};

// `base` with the named fields replaced (keys: InitSettings' field names, as in hand.json "init"); throws
// graspqp::Error for an unknown key or distance_lower > distance_upper.
InitOptions apply_init_settings(InitOptions base, const std::map<std::string, double>& settings);

// Anchor points for a batch: `count` points spread over the hull by farthest-point sampling of
// dense hull samples, each moved outwards by hull_offset, with the inward direction.
struct HullAnchor {
  Vec3 point;
  Vec3 inward;  // unit, towards the object
};
std::vector<HullAnchor> hull_anchors(const ObjectModel& object, int count, const InitOptions& options,
                                     std::uint64_t seed);

// One initial state (t, r6, q) for an anchor.
Eigen::VectorXd initial_state(const HandModel& hand, const GraspType& grasp_type, const HullAnchor& anchor,
                              const InitOptions& options, Rng& rng);

// Contact indices: n distinct candidates when possible (with replacement only if n > candidates).
std::vector<int> random_contacts(int n_candidates, int n_contacts, Rng& rng);

// Rotation whose columns map the hand's approach axis to `inward` (hand up axis to a world up).
Mat3 look_at_rotation(const Vec3& approach_axis, const Vec3& up_axis, const Vec3& inward);

}  // namespace graspqp
