#pragma once
// `graspqp hand init`, step 1: the hand's structure (palm, finger chains, thumb, approach and up axes),
// the default-pose rule and the closing motion the later steps use (rules in docs/adding_a_hand.md).
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <string>
#include <vector>

namespace graspqp {

// A finger: the links from the first link below the palm down to a fingertip.
struct FingerChain {
  std::vector<int> links;  // tree order, base first, tip last
  int base = -1;           // first link below the palm
  int tip = -1;            // distal link: a link with geometry and no geometry below it
  std::string role;        // "thumb", "index", "middle", "ring", "little", "finger5", ...
  bool named = false;      // the role comes from a link or joint name (e.g. "thumb_pip")
};

struct HandStructure {
  // Links with geometry rigidly attached (fixed joints only) to the fingers' deepest common ancestor;
  // links above that ancestor through moving joints (a forearm, a wrist) are neither palm nor finger.
  std::vector<int> palm;
  int palm_main = -1;                  // the largest of them (collision bounding-box volume), -1 if none
  std::vector<FingerChain> chains;     // thumb first (if any), then by distance of their base to the thumb base
  int thumb = -1;                      // index into chains; -1 with fewer than 2 chains
  Vec3 palm_center = Vec3::Zero();     // base frame: centre of palm_main's collision box
  Vec3 grasp_center = Vec3::Zero();    // base frame: mean fingertip (box centre) at the mid-range pose
  Vec3 approach_axis = Vec3::UnitZ();  // unit, base frame: palm_center -> grasp_center
  Vec3 up_axis = Vec3::UnitX();        // unit, orthogonal to approach_axis
};

// Infers the structure at the model's default pose (see docs/adding_a_hand.md for the rules).
HandStructure analyze_hand_structure(const HandModel& model);

// Default pose rule: z + curl * (m - z) per actuated joint, z = 0 clamped into the limits, m = mid-range;
// the joints of a chain named "thumb" (structure given) use thumb_curl instead (mid-range: opposed), joints
// outside the finger chains (structure given) stay at z.
Eigen::VectorXd suggested_default_pose(const HandModel& model, double curl = 0.3, double thumb_curl = 1.0,
                                       const HandStructure* structure = nullptr);

// Closing motion used for "palmar": per actuated joint the step from the default pose to the mid-range
// pose (from the zero pose, clamped, for joints whose default is within 5 % of the range of mid-range), with
// revolute joints whose axis is within 30 degrees of the approach axis (spread joints) zeroed.
// Joints outside the finger chains (a wrist) do not count.
Eigen::VectorXd closing_motion(const HandModel& model, const HandData& data_at_default, const HandStructure& structure);

}  // namespace graspqp
