#pragma once
// Simulation protocols of the physics evaluation (docs/evaluation.md). A protocol is plain data: every
// constant is a field, settable from JSON (`--protocol-config`) or `--set key=value`, and recorded in
// the report.
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graspqp {

struct SimProtocol {
  std::string name = "graspqp";

  // ---- MuJoCo physics options ----
  double timestep = 0.002;              // [s]
  std::string integrator = "implicit";  // euler | implicit | rk4
  std::string cone = "elliptic";        // pyramidal | elliptic
  double impratio = 10;
  int solver_iterations = 100;
  int noslip_iterations = 0;
  bool multiccd = true;  // several contact points per convex-convex pair (mjENBL_MULTICCD)
  double gravity = 0;    // [m/s^2]; direction -z unless the disturbance kind is "gravity"

  // ---- contacts (set on hand and object geoms) ----
  int condim = 4;                    // 3: sliding friction, 4: + torsional, 6: + rolling
  double friction = 1.0;             // sliding
  double torsional_friction = 0.02;  // [m]
  double rolling_friction = 0.0;     // [m]
  double solref_timeconst = 0.005;   // [s] (MuJoCo clamps it to >= 2 timesteps)
  double solref_dampratio = 1.0;
  double solimp_dmin = 0.9, solimp_dmax = 0.99, solimp_width = 0.001;
  double margin = 0.0;  // [m] contact margin (active contacts start at this distance)
  // Contacts are also *detected* (but inactive: MuJoCo gap = this value) up to this distance, so that
  // "the hand still touches the object" can be tested with a tolerance like PhysX's contact offset.
  double contact_detect_distance = 0.0;  // [m]
  bool hand_self_collision = false;      // hand-hand contacts (off: only hand-object contacts)

  // ---- object ----
  double object_mass = 0.2;     // [kg]; <= 0: object_density x mesh volume
  double object_density = 500;  // [kg/m^3], used when object_mass <= 0

  // ---- hand ----
  double closing_scale = 1.0;  // joint targets = joints + closing_scale * closing_delta
  // The targets move from the grasp joints to their final value at each joint's hand.json "max_velocity"
  // (the reference's PhysX joint velocity limits, e.g. 2 rad/s for the Allegro) instead of in one step.
  bool closing_velocity_limit = true;
  double kp_scale = 1.0;           // multiplies every joint's kp of hand.json "sim"
  double force_limit_scale = 1.0;  // multiplies every joint's force limit
  // Revolute joints' PD gains and friction instead of hand.json "sim" ones (< 0: hand.json's): DexGraspBench
  // drives every finger joint with kp 5 (1 in its paper's setting), damping 0.1, no joint friction.
  double joint_kp = -1, joint_damping = -1, joint_frictionloss = -1;
  // "fixed": the hand's root link is the mocap body; "floating": the root is a free body welded to the
  // mocap body (DexGraspBench's mocap hand: solimp 0.9 0.95 0.001 0.5 2), so contact forces move the hand.
  std::string hand_root = "fixed";
  // How the hand closes during the settle time. "ramp": targets from `joints` to joints + closing_scale x
  // closing_delta (at max_velocity when closing_velocity_limit). "stages" (DexGraspBench): each test starts
  // at the pregrasp (joints - pregrasp_scale x closing_delta, within the joint limits); the targets step
  // pregrasp -> grasp, then grasp -> squeeze (joints + closing_scale x closing_delta), each stage in
  // stage_steps equal steps held for stage_substeps time steps; settle_time must be that long.
  std::string closing = "ramp";
  double pregrasp_scale = 1.0;
  int stage_steps = 10, stage_substeps = 10;
  // Where the stages' pregrasp and squeeze come from. "file": the grasp file's pregrasp_joints and
  // squeeze_joints (as DexGraspBench evaluates the poses a dataset stores), derived as above for files
  // without them; "derived": always from closing_delta with pregrasp_scale and closing_scale.
  std::string stage_poses = "file";

  // ---- disturbances ----
  // kind "force": a constant force of `magnitude` newtons on the object's centre of mass;
  // "acceleration": force = magnitude [m/s^2] x object mass; "gravity": gravity of `magnitude` m/s^2
  // along the direction on the whole scene (hand and object).
  std::string disturbance = "force";
  double magnitude = 3.0;
  // Independent tests; each starts from the grasp state (reset), settles, then applies its pulls in turn.
  // Directions are in the object (= world) frame and are normalised.
  std::vector<std::vector<Eigen::Vector3d>> tests;
  std::vector<std::string> test_names;
  double settle_time = 0.25;  // [s] hand closes on the object before the first pull
  bool disturb_during_settle = false;
  double pull_duration = 0.5;  // [s] per pull
  double pull_gap = 0.25;      // [s] between pulls of a test
  double tail_time = 0.0;      // [s] after the last pull

  // ---- success ----
  double max_translation = 0.03;    // [m] object frame origin displacement from its initial pose; <= 0: off
  double max_rotation_deg = 0;      // [deg] object rotation from its initial pose; <= 0: off
  double check_interval = 0.3;      // [s] checks at multiples of this from the test start, and at its end
  bool check_during_settle = true;  // the checks also run during the settle time
  // Measure displacement and rotation from the object's pose at the end of the settle time instead of its
  // initial pose (then the settle itself is not checked): separates "the closing pushed the object" from
  // "the grasp let the object go under the disturbance".
  bool measure_from_settled = false;
  bool require_contact = false;  // the hand must still touch the object at the end of each test
  // A grasp whose hand-object penetration at the grasp pose (MuJoCo contacts with the convex parts)
  // exceeds this fails without simulation (DexGraspBench's pre-filter); <= 0: off.
  double max_initial_penetration = 0;  // [m]
  std::string trial_rule = "any";      // any (reference: a trial succeeds if any test holds) | all
  // Stop a trial's tests as soon as its verdict under trial_rule is known (any: a test held; all: a test
  // failed). The verdict (`success`) is the same; the tests not run count as not held, so per-test
  // rates, the other rule's flag and the maxima are lower bounds. Off for `eval`; on for `generate --validate`.
  bool stop_at_verdict = false;
  double grasp_success_fraction = 0.5;  // a grasp succeeds if >= this fraction of its trials succeed

  double test_duration(size_t test) const;  // settle + pulls + gaps + tail [s]
  double total_duration() const;
};

// Names of the built-in protocols: graspqp, dexgraspnet, dexgraspbench, dexgraspbench-baseline,
// dexgraspbench-episode.
std::vector<std::string> protocol_names();
// A built-in protocol by name; throws graspqp::Error for an unknown name.
SimProtocol make_protocol(const std::string& name);

// The protocol's test names, or test0, test1, ... where it names none.
std::vector<std::string> protocol_test_names(const SimProtocol& p);
nlohmann::json protocol_to_json(const SimProtocol& p);
// Overrides the fields present in `j` (unknown keys throw graspqp::Error naming the key).
void apply_protocol_json(SimProtocol& p, const nlohmann::json& j);
// "key=value" (value parsed as JSON, falling back to a plain string), e.g. "magnitude=5",
// "tests=[[[0,0,1]],[[0,0,-1]]]", "trial_rule=all".
void apply_protocol_setting(SimProtocol& p, const std::string& key_equals_value);
// Throws graspqp::Error for inconsistent values (non-positive timestep, no tests, ...).
void validate_protocol(const SimProtocol& p);

}  // namespace graspqp
