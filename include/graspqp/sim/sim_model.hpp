#pragma once
// The MuJoCo model of one (hand, object, protocol): an MJCF document built programmatically and compiled
// once, then shared read-only by all threads (each thread owns its mjData).
//
// - Hand: the link tree of HandModel (joint origins, axes, limits), its root attached rigidly to a mocap
//   body (the grasp pose is set per grasp through mjData::mocap_pos/quat, so the base is fixed exactly);
//   collision geometry = convex parts of each link's collision mesh (connected components; concave
//   components split by HACD); couplings (URDF mimic and hand.json "couplings") as joint equality
//   constraints; actuated joints driven by position actuators with the gains and force limits of
//   hand.json "sim"; link masses from the URDF <inertial> masses, inertia of the collision bounding box.
// - Object: a free body, geometry = convex parts (HACD, cached, or supplied by the user), mass and
//   inertia from the protocol (fixed mass, or density x volume) and the mesh's volume integrals.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/object/object_model.hpp>
#include <graspqp/sim/convex_decomposition.hpp>
#include <graspqp/sim/protocol.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct mjModel_;  // MuJoCo's model type (mujoco/mjmodel.h: typedef struct mjModel_ mjModel)

namespace graspqp {

// Per actuated joint simulation parameters (hand.json "sim").
struct JointSimParams {
  double kp = 10;           // position gain [N m / rad] or [N / m]
  double damping = 0.1;     // joint damping [N m s / rad] or [N s / m]
  double force_limit = 2;   // actuator force limit [N m] or [N]
  double armature = 0.001;  // reflected rotor inertia [kg m^2] or [kg]
  double frictionloss = 0;  // dry joint friction [N m] or [N]
  double max_velocity = 0;  // [rad/s] or [m/s]: the closing target moves at most this fast (0: a step)
};

struct HandSimParams {
  std::vector<JointSimParams> joints;  // one per actuated joint, in HandModel::joints order
  double passive_damping = 0.01;       // coupled (follower) joints
  double passive_armature = 0.001;
  double default_link_mass = 0.05;  // links without a URDF <inertial> mass [kg]
  bool from_hand_json = false;      // false: built-in defaults (hand.json has no "sim" section)
};

// Reads hand.json's "sim" section of the hand's folder:
//   {"kp": .., "damping": .., "force_limit": .., "armature": .., "frictionloss": .., "max_velocity": ..,
//    "prismatic": {"kp": .., ...},                                                   (prismatic joints)
//    "joints": {"<joint name>": {"kp": .., ...}},                                    (per-joint overrides)
//    "passive_damping": .., "passive_armature": .., "default_link_mass": ..}
// Missing keys take the defaults: revolute kp 10, damping 0.1, force 2, armature 0.001; prismatic
// kp 1000, damping 10, force 50, armature 0.01. Unknown joint names throw graspqp::Error.
HandSimParams hand_sim_params(const HandModel& hand);
nlohmann::json hand_sim_params_json(const HandModel& hand, const HandSimParams& params);

struct SimSceneOptions {
  HacdOptions object_hacd;      // object decomposition
  HacdOptions hand_hacd = [] {  // concave hand-link components (palms)
    HacdOptions o;
    o.concavity = 50;
    return o;
  }();
  double hand_concavity_threshold = 0.002;  // [m] link components with deeper dents are decomposed
  std::filesystem::path cache_dir;          // HACD parts cache (empty: no disk cache)
  std::filesystem::path object_parts;       // user-supplied object parts (folder or multi-part OBJ)
};

struct SimScene {
  std::shared_ptr<mjModel_> model;  // compiled; never modified after build
  // With protocol.contact_detect_distance > 0: a copy of `model` whose geom margins and gaps are widened
  // by that distance, used only for the end-of-test "still in contact" check. The simulated model keeps
  // margin = protocol.margin and gap 0: contacts in the gap exert no force, so the dynamics are the same,
  // but a widened margin in the simulation makes the collision detection many times slower.
  std::shared_ptr<mjModel_> detect_model;
  std::string mjcf;  // the MJCF document that was compiled

  // Indices into the compiled model.
  int object_body = -1;
  int object_qpos = -1;  // qpos address of the object's free joint (x y z qw qx qy qz)
  int object_dof = -1;
  int mocap = -1;      // mocap index of the hand root
  int root_qpos = -1;  // qpos address of the hand root's free joint (hand_root "floating"), else -1
  int hand_geom_begin = 0, hand_geom_end = 0;      // hand geoms are [begin, end)
  int object_geom_begin = 0, object_geom_end = 0;  // object geoms are [begin, end)
  std::vector<int> link_qpos;                      // per hand link: qpos address of its joint, -1 for fixed joints
  std::vector<int> link_body;                      // per hand link: MuJoCo body id
  std::vector<int> actuator;                       // per actuated joint: actuator id

  // Facts for the report.
  double object_mass = 0;    // [kg]
  double object_volume = 0;  // [m^3] volume used for the inertia
  Eigen::Vector3d object_com = Eigen::Vector3d::Zero();
  double object_radius = 0;  // [m] largest distance of an object part vertex from object_com
  double hand_reach = 0;     // [m] bound on the distance of any hand geometry from the root, any joint values
  int object_parts = 0, hand_parts = 0;
  std::string object_parts_source;  // see ObjectPartsResult::source
  double decomposition_seconds = 0;
  HandSimParams hand_params;
  SimProtocol protocol;
};

// Builds and compiles the model. `object.path` and `object.scale` locate the mesh for the decomposition.
// Throws graspqp::Error with MuJoCo's message when the compilation fails.
std::shared_ptr<const SimScene> build_sim_scene(const HandModel& hand, const ObjectModel& object,
                                                const SimProtocol& protocol, const SimSceneOptions& options);

// Convex collision parts of each hand link, in the link frame (cached like the object parts).
std::vector<std::vector<TriangleMesh>> hand_convex_parts(const HandModel& hand, const SimSceneOptions& options);

// Mass properties of a closed mesh (divergence theorem); volume <= 0 for open or inverted meshes.
struct MassProperties {
  double volume = 0;
  Eigen::Vector3d com = Eigen::Vector3d::Zero();
  Eigen::Matrix3d inertia = Eigen::Matrix3d::Zero();  // about the COM, for unit density
};
MassProperties mesh_mass_properties(const TriangleMesh& mesh);

}  // namespace graspqp
