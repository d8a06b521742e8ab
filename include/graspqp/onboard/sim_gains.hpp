#pragma once
// `graspqp hand init`, step 4: the hand.json "sim" section (position gains and force limits) of a new hand.
#include <graspqp/hand/hand_model.hpp>

#include <nlohmann/json.hpp>

namespace graspqp {

// A hand.json "sim" section for a new hand (docs/evaluation.md): position gains that hold the default pose
// within 0.01 rad (1 mm) against the largest gravity load of each joint's subtree (URDF <inertial> masses,
// 0.05 kg for links without one, at the collision box centre), never below the evaluation's defaults
// (revolute kp 10 N m/rad, force 2 N m; prismatic kp 1000 N/m, force 50 N); force limits 3x that load.
nlohmann::json suggested_sim_gains(const HandModel& model);

}  // namespace graspqp
