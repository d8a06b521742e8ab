#pragma once
// `graspqp hand init`: onboarding a new hand. From a URDF (or an existing hand folder) it infers the
// hand's structure (palm, finger chains, thumb), writes hand.json (default pose, approach and up axes,
// grasp-type initial poses), contact patches on the palmar surfaces with contact_points.json and
// eigengrasps.json, and self-collision spheres fitted to the collision meshes (penetration_points.json).
// Every rule is documented in docs/adding_a_hand.md; every output is a plain file, editable afterwards.
// Entry point of the onboarding steps: including it gives every step's header.
#include <graspqp/onboard/contact_patches.hpp>
#include <graspqp/onboard/link_solid.hpp>
#include <graspqp/onboard/sim_gains.hpp>
#include <graspqp/onboard/sphere_fit.hpp>
#include <graspqp/onboard/structure.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace graspqp {

struct HandInitOptions {
  // Source: a URDF (a new hand folder is written to `out`), or an existing hand folder / bundled name
  // (`hand`, updated in place).
  std::filesystem::path urdf;
  std::filesystem::path out;
  std::string hand;
  std::string name;                 // default: the output folder's name
  bool copy = true;                 // copy the URDF and its meshes into `out` (false: refer to them relatively)
  std::filesystem::path mesh_dir;   // extra folder where the URDF's relative mesh paths are looked up
  bool visual_as_collision = true;  // hand.json key: links without collision geometry use their visuals
  bool force = false;               // overwrite an existing hand.json in `out`
  // What to write: "pose" (default_pose, approach/up axes in hand.json), "contacts" (patches,
  // contact_points.json, eigengrasps.json), "spheres" (penetration_points.json). Empty: all.
  std::vector<std::string> only;
  double curl = 0.3;                           // default-pose rule
  double thumb_curl = 1.0;                     // default-pose rule for a chain named "thumb"
  std::map<std::string, double> default_pose;  // explicit values (override the rule)
  ContactPatchOptions contacts;
  SphereFitOptions spheres;
};

struct HandInitReport {
  std::filesystem::path directory;
  HandStructure structure;
  std::vector<std::string> files;    // written (relative to directory)
  std::vector<std::string> backups;  // previous annotation files kept as *.orig.json
  std::vector<ContactPatch> patches;
  std::vector<LinkSpheres> spheres;
  std::map<std::string, std::map<std::string, int>> grasp_types;  // type -> link -> points
  nlohmann::json grasp_type_init;                                 // suggested hand.json "grasp_type_init"
  Eigen::VectorXd default_pose;
  std::vector<std::string> joint_names;
  std::vector<std::string> notes;  // things the user should look at
  std::vector<std::string> link_names;
  nlohmann::json to_json() const;
  std::string to_text() const;
};

// Throws graspqp::Error on bad input (missing URDF, existing hand.json without force, ...).
HandInitReport init_hand(const HandInitOptions& options);

}  // namespace graspqp
