#pragma once
// `graspqp hand check`: validates a hand folder and prints a pass/fail report (docs/adding_a_hand.md).
//
// Fails on: hand.json / URDF / meshes that do not load; joint limits missing (revolute, prismatic) or
// inverted; self-collision spheres on links that do not exist, with a non-positive radius, lying outside
// their link or covering almost none of it (misplaced); no spheres at all; a grasp type without
// candidates, candidates more than 1 mm off their link's surface (after the loader's projection; patch
// samples more than 10 mm off before it) or with inward normals; self-collision at the default pose
// (E_spen above a small tolerance); a MuJoCo model that does not compile or does not hold the default pose.
// Warns (measures): sphere coverage of each link, links without spheres, patch samples 1-10 mm off the
// surface before projection, candidate spread and opposition over the joint range, loader warnings.
#include <graspqp/hand/hand_model.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace graspqp {

enum class CheckLevel { Pass, Warn, Fail };

struct CheckItem {
  std::string check;  // "urdf", "joint_limits", "spheres", "candidates", "self_collision", "mujoco", ...
  CheckLevel level = CheckLevel::Pass;
  std::string message;  // one line
};

struct HandCheckOptions {
  double candidate_surface_tolerance = 1e-3;  // [m] projected candidates farther than this from the surface fail
  double patch_offset_warn = 1e-3;            // [m] patch samples (before projection) farther than this: warning
  double patch_offset_fail = 1e-2;            // [m] ... farther than this: failure (wrong frame or link)
  double normal_probe = 5e-4;                 // [m] probe distance of the inward-normal test
  double self_penetration_tolerance = 1e-3;   // [m] E_spen at the default pose above this fails
  double coverage_tolerance = 2e-3;           // [m] a surface sample is covered within radius + tolerance
  int coverage_samples = 1000;
  double coverage_warn = 0.9;  // links below: warning
  double coverage_fail = 0.1;  // links with spheres below: failure (misplaced spheres)
  int spread_poses = 32;       // random joint configurations for the spread measure
  // MuJoCo: compile the hand (with a small box far away) and hold the default pose under gravity.
  bool mujoco = true;
  double mujoco_seconds = 0.5;                // per orientation (4 orientations of gravity)
  double mujoco_gravity = 9.81;               // [m/s^2]
  double mujoco_tolerance_revolute = 0.05;    // [rad] largest drift of any joint from the default pose
  double mujoco_tolerance_prismatic = 0.002;  // [m]
  std::filesystem::path cache_dir;            // convex parts cache for the MuJoCo model (empty: none)
};

struct HandCheckReport {
  std::string hand;
  std::filesystem::path directory;
  std::vector<CheckItem> items;
  nlohmann::json measures = nlohmann::json::object();  // coverage per link, spread per grasp type, MuJoCo drift

  void add(const std::string& check, CheckLevel level, const std::string& message) {
    items.push_back({check, level, message});
  }
  bool passed() const;
  int count(CheckLevel level) const;
  std::vector<std::string> failures() const;  // "check: message"
  nlohmann::json to_json() const;
  std::string to_text(bool verbose = false) const;
};

// Checks a hand folder or bundled name. Never throws for problems of the hand: they become failures.
HandCheckReport check_hand(const std::string& name_or_path, const HandCheckOptions& options = {});

// The checks that need a loaded model (candidates, spheres, self-collision, spread, MuJoCo); used by
// check_hand and directly by tests on models modified in memory.
void check_hand_model(const HandModel& model, const HandCheckOptions& options, HandCheckReport& report);

}  // namespace graspqp
