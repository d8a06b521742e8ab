#pragma once
// Physics evaluation of grasps in MuJoCo (docs/evaluation.md): every grasp is reset to its pose, the hand
// is driven towards joints + closing_delta, the object is disturbed as the protocol says, and the
// grasp's success is decided by the protocol's thresholds. Deterministic: the same inputs give the same
// results whatever the thread count. Analytic metrics (penetration, contact distance, Q1) are added.
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/metrics/grasp_metrics.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <limits>

namespace graspqp {

struct EvalOptions {
  SimProtocol protocol = make_protocol("graspqp");
  int threads = 0;                     // 0: all cores
  int trials = 1;                      // trial 0 is the grasp itself; trials 1.. perturb the hand pose
  double perturb_translation = 0.001;  // [m] length of the random offset of perturbed trials
  double perturb_rotation_deg = 1.0;   // [deg] angle of the random rotation of perturbed trials
  std::uint64_t seed = 0;              // seed of the perturbations
  SimSceneOptions scene;
  bool analytic_metrics = true;  // penetration depth, contact distance, self-penetration, Q1
  GraspMetricsOptions metrics;
};

// Throws graspqp::Error naming the option (`graspqp eval` names) and its allowed range: the protocol
// (validate_protocol), --trials in [1, 1000], --threads in [0, 4096], --perturb-translation in [0, 0.1] m,
// --perturb-rotation in [0, 180] deg, --concavity in (0, 1000], --hacd-faces in [0, 10^7], the metrics
// (validate_metrics_options).
void validate_eval_options(const EvalOptions& options);

// One grasp's simulation pose and command.
struct SimGrasp {
  Eigen::Matrix<double, 7, 1> root_pose;  // x y z qw qx qy qz, object frame
  Eigen::VectorXd joints;                 // actuated joints (HandModel::joints order)
  Eigen::VectorXd closing_delta;          // same order
  // The grasp file's pregrasp and squeeze poses (same order; empty where the file has none), which the
  // closing "stages" use under stage_poses "file".
  Eigen::VectorXd pregrasp, squeeze;
};

struct GraspEvalResult {
  bool success = false;      // under the protocol's trial_rule
  bool success_any = false;  // trial success = any test held (the reference's rule)
  bool success_all = false;  // trial success = every test held (strict)
  int trials = 0, trials_ok_any = 0, trials_ok_all = 0;
  std::vector<double> test_success;  // per test: fraction of trials in which it held
  double max_translation = 0;        // [m] largest object displacement seen at the checks (all tests/trials)
  double max_rotation_deg = 0;       // [deg]
  double settle_translation = 0;     // [m] displacement at the end of the settle time (trial 0, test 0)
  double initial_penetration = 0;    // [m] deepest hand-object MuJoCo contact at the grasp pose (convex parts)
  int settle_contacts = 0;           // hand bodies touching the object after the settle time (trial 0, test 0)
  bool prefiltered = false;          // failed max_initial_penetration without simulation
  int warnings = 0;                  // MuJoCo warnings (contact buffer full, instability)
  int tests_skipped = 0;             // tests not run once the verdict was known (protocol stop_at_verdict)
  std::string error;                 // non-empty: the simulation failed (the grasp counts as failed)
  // Analytic metrics (NaN when not computed).
  double penetration_depth = std::numeric_limits<double>::quiet_NaN();      // [m] max, both ways
  double contact_distance_mean = std::numeric_limits<double>::quiet_NaN();  // [m] |d| of the selected contacts
  double contact_distance_max = std::numeric_limits<double>::quiet_NaN();
  double self_penetration = std::numeric_limits<double>::quiet_NaN();  // [m]
  double q1 = std::numeric_limits<double>::quiet_NaN();
};

using EvalProgress = std::function<void(int done, int total)>;

// Simulates grasps in a compiled scene (no analytic metrics). Joints and closing deltas must have
// hand.dof() entries in HandModel::joints order.
std::vector<GraspEvalResult> simulate_grasps(const SimScene& scene, const HandModel& hand,
                                             const std::vector<SimGrasp>& grasps, const EvalOptions& options,
                                             const EvalProgress& progress = {});

// SimGrasps of a dataset, its joint columns matched to the hand's joints by name.
std::vector<SimGrasp> dataset_sim_grasps(const HandModel& hand, const GraspDataset& grasps);

// Fills the analytic metric fields (penetration depth, contact distance, self-penetration, Q1) of
// `results`, one per grasp of `grasps` (metrics/grasp_metrics.hpp, in parallel).
void add_analytic_metrics(const HandModel& hand, const ObjectModel& object, const GraspDataset& grasps,
                          std::vector<GraspEvalResult>& results, const EvalOptions& options);

// The whole evaluation of one dataset: builds the scene for (hand, object, options.protocol), simulates
// every grasp and adds the analytic metrics. `object` must be loaded from the dataset's object_path with
// its scale. This is the entry point for `graspqp generate --validate`.
std::vector<GraspEvalResult> evaluate_grasps(const HandModel& hand, const ObjectModel& object,
                                             const GraspDataset& grasps, const EvalOptions& options,
                                             const EvalProgress& progress = {},
                                             std::shared_ptr<const SimScene>* scene_out = nullptr);

// The options as JSON (eval files and reports record them): trials, perturbations, HACD, metrics.
nlohmann::json eval_options_json(const EvalOptions& options);

}  // namespace graspqp
