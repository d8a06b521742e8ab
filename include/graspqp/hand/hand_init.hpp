#pragma once
// `graspqp hand init`: onboarding a new hand. From a URDF (or an existing hand folder) it infers the
// hand's structure (palm, finger chains, thumb), writes hand.json (default pose, approach and up axes,
// grasp-type initial poses), contact patches on the palmar surfaces with contact_points.json and
// eigengrasps.json, and self-collision spheres fitted to the collision meshes (penetration_points.json).
// Every rule is documented in docs/adding_a_hand.md; every output is a plain file, editable afterwards.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace graspqp {

// ---------------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------------

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
  int palm_main = -1;       // the largest of them (collision bounding-box volume), -1 if none
  std::vector<FingerChain> chains;  // thumb first (if any), then by distance of their base to the thumb base
  int thumb = -1;           // index into chains; -1 with fewer than 2 chains
  Vec3 palm_center = Vec3::Zero();   // base frame: centre of palm_main's collision box
  Vec3 grasp_center = Vec3::Zero();  // base frame: mean fingertip (box centre) at the mid-range pose
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

// ---------------------------------------------------------------------------------------------------
// Link surfaces (shared by init and check)
// ---------------------------------------------------------------------------------------------------

// The collision mesh of a link split into its connected components, each with its own signed distance:
// URDFs often describe a link as several overlapping primitives (LEAP, Barrett), whose merged mesh has
// faces buried inside other components. depth() is the depth inside the union (> 0 inside).
class LinkSolid {
 public:
  explicit LinkSolid(const TriangleMesh& mesh);
  int components() const { return static_cast<int>(parts_.size()); }
  double depth(const Vec3& p) const;                  // max over components of -sdf
  double depth_excluding(const Vec3& p, int component) const;  // same, other components only
  int component_of_face(int face) const { return face_component_[face]; }
  // Signed distance to the union's outer surface (> 0 outside), exact outside, a bound inside.
  double distance(const Vec3& p) const;
  // Area-uniform samples on the outer surface of the union (faces buried inside another component are
  // dropped); positions and outward normals in the mesh frame. Deterministic for a seed.
  std::vector<std::pair<Vec3, Vec3>> outer_samples(int n, std::uint64_t seed) const;
  // Generalized winding number of the whole mesh (orientation-robust inside test: |w| > 0.5 inside).
  double winding_number(const Vec3& p) const;

 private:
  TriangleMesh mesh_;
  std::vector<std::shared_ptr<const SignedDistanceField>> parts_;
  std::vector<int> face_component_;
};

// ---------------------------------------------------------------------------------------------------
// Contact patches
// ---------------------------------------------------------------------------------------------------

struct ContactPatchOptions {
  double cos_threshold = 0.5;       // palmar: outward normal within 60 degrees of the closing direction
  double palm_cos_threshold = 0.7;  // palm links: outward normal within 45 degrees of the approach axis
  double min_area = 1e-4;           // [m^2] links with a smaller palmar patch get no candidates
  double occlusion_distance = 0.003;  // [m] patch parts closer than this to another link are dropped
  double max_edge = 0.004;          // [m] faces are subdivided to this edge length before selection
  int tip_points = 8, link_points = 4, palm_points = 4;  // candidates per link (contact_points.json)
  bool palm = true;                 // also annotate the palm links
};

struct ContactPatch {
  int link = -1;
  std::string kind;      // "tip" | "link" | "palm"
  TriangleMesh mesh;     // link frame
  double area = 0;       // [m^2]
  int points = 0;
};

// Palmar contact patches at the model's default pose (rules in docs/adding_a_hand.md).
std::vector<ContactPatch> palmar_contact_patches(const HandModel& model, const HandStructure& structure,
                                                 const ContactPatchOptions& options = {});

// ---------------------------------------------------------------------------------------------------
// Self-collision spheres
// ---------------------------------------------------------------------------------------------------

struct SphereFitOptions {
  double margin = 0.004;          // [m] radius = depth of the centre inside the link + margin (largest bulge)
  double tolerance = 0.002;       // [m] a surface sample is covered within radius + tolerance
  double target_coverage = 0.9;   // greedy cover stops at this fraction of surface samples
  int max_spheres_per_link = 6;
  int samples = 800;              // surface samples per link
  double min_radius = 0.002;      // [m] smaller spheres are dropped
  bool resolve_default_pose = true;  // shrink spheres of non-adjacent links that overlap at the default pose
  std::uint64_t seed = 7;
};

struct LinkSpheres {
  int link = -1;
  std::vector<CollisionSphere> spheres;  // link frame
  double coverage = 0;                   // fraction of surface samples covered (after resolution)
};

// Greedy set cover of each link's outer surface samples by spheres centred inside the link (grid points and
// medial points found by marching inwards from surface samples), radius bounded by the depth of the centre.
std::vector<LinkSpheres> fit_collision_spheres(const HandModel& model, const SphereFitOptions& options = {});

// Fraction of `samples` outer surface samples of `link` within radius + tolerance of one of the spheres.
double sphere_coverage(const HandModel& model, int link, const std::vector<CollisionSphere>& spheres,
                       double tolerance = 0.002, int samples = 1000, std::uint64_t seed = 1);

// ---------------------------------------------------------------------------------------------------
// Simulation gains
// ---------------------------------------------------------------------------------------------------

// A hand.json "sim" section for a new hand (docs/evaluation.md): position gains that hold the default pose
// within 0.01 rad (1 mm) against the largest gravity load of each joint's subtree (URDF <inertial> masses,
// 0.05 kg for links without one, at the collision box centre), never below the evaluation's defaults
// (revolute kp 10 N m/rad, force 2 N m; prismatic kp 1000 N/m, force 50 N); force limits 3x that load.
nlohmann::json suggested_sim_gains(const HandModel& model);

// ---------------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------------

struct HandInitOptions {
  // Source: a URDF (a new hand folder is written to `out`), or an existing hand folder / bundled name
  // (`hand`, updated in place).
  std::filesystem::path urdf;
  std::filesystem::path out;
  std::string hand;
  std::string name;              // default: the output folder's name
  bool copy = true;              // copy the URDF and its meshes into `out` (false: refer to them relatively)
  std::filesystem::path mesh_dir;  // extra folder where the URDF's relative mesh paths are looked up
  bool visual_as_collision = true;  // hand.json key: links without collision geometry use their visuals
  bool force = false;            // overwrite an existing hand.json in `out`
  // What to write: "pose" (default_pose, approach/up axes in hand.json), "contacts" (patches,
  // contact_points.json, eigengrasps.json), "spheres" (penetration_points.json). Empty: all.
  std::vector<std::string> only;
  double curl = 0.3;             // default-pose rule
  double thumb_curl = 1.0;       // default-pose rule for a chain named "thumb"
  std::map<std::string, double> default_pose;  // explicit values (override the rule)
  ContactPatchOptions contacts;
  SphereFitOptions spheres;
};

struct HandInitReport {
  std::filesystem::path directory;
  HandStructure structure;
  std::vector<std::string> files;     // written (relative to directory)
  std::vector<std::string> backups;   // previous annotation files kept as *.orig.json
  std::vector<ContactPatch> patches;
  std::vector<LinkSpheres> spheres;
  std::map<std::string, std::map<std::string, int>> grasp_types;  // type -> link -> points
  nlohmann::json grasp_type_init;     // suggested hand.json "grasp_type_init"
  Eigen::VectorXd default_pose;
  std::vector<std::string> joint_names;
  std::vector<std::string> notes;     // things the user should look at
  std::vector<std::string> link_names;
  nlohmann::json to_json() const;
  std::string to_text() const;
};

// Throws graspqp::Error on bad input (missing URDF, existing hand.json without force, ...).
HandInitReport init_hand(const HandInitOptions& options);

}  // namespace graspqp
