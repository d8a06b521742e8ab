#pragma once
// The immutable hand model (Model half of the Model/Data split): kinematic tree from the URDF,
// actuated joints with couplings, link meshes, contact candidates per grasp type, self-collision
// spheres and the per-hand settings of hand.json. Built once, shared read-only by all threads.
#include <graspqp/geometry/distance_grid.hpp>
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace graspqp {

enum class JointType { Fixed, Revolute, Prismatic };  // URDF "continuous" is a revolute without limits

// One link of the tree with the joint that connects it to its parent. Links are stored in
// depth-first pre-order (children in URDF file order), so a parent always precedes its children.
struct LinkModel {
  std::string name;
  int parent = -1;         // index of the parent link, -1 for the root
  std::string joint_name;  // joint from the parent (empty for the root)
  JointType joint_type = JointType::Fixed;
  Eigen::Isometry3d joint_origin = Eigen::Isometry3d::Identity();
  Vec3 joint_axis = Vec3::UnitZ();  // unit, in the joint frame
  double joint_lower = 0, joint_upper = 0;
  bool joint_has_limits = false;
  // The joint value is multiplier * q[actuated] + offset (mimic tags and hand.json couplings);
  // actuated == -1 for fixed joints.
  int actuated = -1;
  double multiplier = 1.0, offset = 0.0;

  TriangleMesh collision_mesh;  // all collision geometries (or visuals, if none) in the link frame
  TriangleMesh visual_mesh;     // all visual geometries in the link frame (empty when missing)
  std::shared_ptr<const SignedDistanceField> collision_sdf;  // null when the link has no geometry
  // Culling grid of collision_sdf over collision_box (16 cells along the longest side): E_pen skips the
  // exact query for points certainly outside the link. Null when the link has no geometry.
  std::shared_ptr<const DistanceGrid> collision_grid;
  Eigen::AlignedBox3d collision_box;  // bounds of collision_mesh (link frame), for broad phases
  // Half-spaces n.p <= b of the convex hull of collision_mesh (link frame; a row: n_x n_y n_z b, b the
  // largest n.v over every mesh vertex, so the hull holds the mesh in floating point too). A point beyond
  // any of them is outside the link: E_pen skips its exact query. Empty when the hull is flat.
  Eigen::Matrix<double, Eigen::Dynamic, 4, Eigen::RowMajor> collision_hull;
  Vec3 bound_center = Vec3::Zero();  // bounding sphere of collision_mesh (link frame)
  double bound_radius = 0;
  // The link's points in HandModel::surface_points: indices [surface_begin, surface_end) (points are
  // stored link by link).
  int surface_begin = 0, surface_end = 0;
  // Frame of the link's last geometry element (origin and mesh scale): contact patches and sphere
  // centres in GraspQP's annotation files are given in it (reference §3.4, §3.5).
  Eigen::Affine3d annotation_frame = Eigen::Affine3d::Identity();
  std::vector<int> children;
};

struct ActuatedJoint {
  std::string name;
  int link = -1;  // link whose parent joint this is
  JointType type = JointType::Revolute;
  double lower = 0, upper = 0;
  double default_value = 0;
};

struct ContactCandidate {
  int link = -1;
  Vec3 position = Vec3::Zero();  // link frame
  Vec3 normal = Vec3::UnitZ();   // unit, outward from the link collision surface, link frame
};

struct CollisionSphere {
  int link = -1;
  Vec3 center = Vec3::Zero();  // link frame
  double radius = 0;
};

struct SurfacePoint {
  int link = -1;
  Vec3 position = Vec3::Zero();  // link frame
};

struct GraspType {
  std::string name;
  std::vector<ContactCandidate> candidates;  // in candidate-index order (links in tree order)
  std::map<std::string, double> init_pose;   // joint overrides of the default pose for initialization
};

// The initialization settings a hand may state in hand.json "init" and `generate` may override
// (optim/initialization.hpp applies them): stand-off beyond the offset hull point and the hull offset
// [m], orientation ranges [rad], joint noise. Built-in values are the reference's (§1.8).
struct InitSettings {
  double distance_lower = 0.05, distance_upper = 0.10;
  double hull_offset = 0.01;
  double roll_range = M_PI, pitch_range = 15.0 * M_PI / 180.0, tilt_range = 45.0 * M_PI / 180.0;
  double joint_jitter = 0.1;  // sigma as a fraction of each joint's range
};
// The field of `settings` named `key` (the field names above: the one list of valid keys); nullptr for
// an unknown key.
double* init_setting(InitSettings& settings, const std::string& key);

struct HandModel {
  std::string name;
  std::filesystem::path directory;  // folder holding hand.json
  std::filesystem::path urdf_path;
  std::vector<LinkModel> links;
  std::vector<ActuatedJoint> joints;  // actuated joints, in state order
  std::vector<CollisionSphere> spheres;
  std::vector<SurfacePoint> surface_points;  // collision-surface samples spread by area (table energy)
  std::vector<GraspType> grasp_types;        // "full" first
  Vec3 approach_axis = Vec3::UnitZ();        // hand-frame axis pointing from the palm towards the object
  Vec3 up_axis = Vec3::UnitX();
  Vec3 grasp_axis = Vec3::UnitZ();
  // hand.json "init": this hand's defaults for the initialization (keys: InitSettings' fields; metres
  // and radians), applied over the built-in defaults; empty when absent.
  std::map<std::string, double> init_defaults;
  // hand.json "sim": simulation parameters (gains, damping, masses) read by the sim module; null when absent.
  nlohmann::json sim_config;
  std::vector<std::string> warnings;  // non-fatal load problems (missing visual meshes, stray annotations)

  int dof() const { return static_cast<int>(joints.size()); }
  int state_size() const { return 9 + dof(); }
  int link_index(const std::string& name) const;               // -1 if absent
  const GraspType& grasp_type(const std::string& name) const;  // throws graspqp::Error if unknown
  bool has_grasp_type(const std::string& name) const;
  Eigen::VectorXd default_joints() const;
  Eigen::VectorXd lower_limits() const;
  Eigen::VectorXd upper_limits() const;
};

// A grasp's pregrasp and squeeze poses as multiples of its closing command `delta`, within the joint
// limits: pregrasp = q - scale x delta (opened), squeeze = q + scale x delta (closed further). Written by
// `generate` and derived by the simulator for files without them.
Eigen::VectorXd pregrasp_joints(const HandModel& hand, const Eigen::VectorXd& joints, const Eigen::VectorXd& delta,
                                double scale);
Eigen::VectorXd squeeze_joints(const HandModel& hand, const Eigen::VectorXd& joints, const Eigen::VectorXd& delta,
                               double scale);

struct HandLoadOptions {
  std::uint64_t candidate_seed = 42;  // seed of the area-uniform sampling of contact patches
  int patch_samples = 1000;           // dense samples per contact patch before farthest-point sampling
  bool load_visual = true;
  int surface_points = 512;  // hand surface samples over all links, proportional to link area
};

// Resolves a hand by name (<assets>/hands/<name>, graspqp/assets.hpp) or by a folder holding hand.json.
std::filesystem::path resolve_hand_directory(const std::string& name_or_path);
// Names of the bundled hands, sorted.
std::vector<std::string> bundled_hand_names();

HandModel load_hand(const std::string& name_or_path, const HandLoadOptions& options = {});

}  // namespace graspqp
