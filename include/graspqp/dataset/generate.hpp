#pragma once
// Dataset generation: objects in, one HDF5 grasp file per (object, hand, grasp type, energy) out.
// Resumable (finished files with the same parameters are skipped), atomic (a file is complete or
// absent), deterministic (same seed, same files, whatever the thread count).
#include <graspqp/dataset/grasp_outputs.hpp>
#include <graspqp/optim/sampler.hpp>
#include <graspqp/sim/evaluate.hpp>
#include <graspqp/sim/protocol.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace graspqp {

struct ObjectSource {
  std::filesystem::path path;  // mesh file
  std::string name;            // output folder name (unique within a run)
};

// Every mesh under `dir` (OBJ, STL, PLY), sorted; DexGraspNet's layout `<code>/coacd/decomposed.obj`
// (or remeshed.obj, preferred) is named by `<code>`; `textured.obj`/`model.obj` by their folder.
std::vector<ObjectSource> discover_objects(const std::filesystem::path& dir);
// Names for explicitly listed files, by the same rules; collisions get a numeric suffix.
std::vector<ObjectSource> name_objects(const std::vector<std::filesystem::path>& files);

struct GenerateOptions {
  std::string hand = "allegro";
  std::string grasp_type = "full";
  int grasps = 32;
  int contacts = 12;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: all cores
  double scale = 1.0;
  int surface_samples = 2500;
  bool overwrite = false;
  EnergyConfig energy;
  SamplerOptions sampler;
  InitOptions init;                              // built-in defaults; the hand's hand.json "init" values replace them,
  std::map<std::string, double> init_overrides;  // and these (user settings) replace both
  GraspPoseScales poses;                         // the stored pregrasp and squeeze poses (dataset/grasp_outputs)
  ClosingOptions closing{ClosingPolicy::Auto};   // how the stored closing command is made (dataset/grasp_outputs)
  std::filesystem::path out;
  // Inline physics validation (off when empty): right after synthesis, every grasp of the object is
  // simulated under this protocol (sim/evaluate.hpp) and the file gets per-grasp datasets "valid"
  // (1/0 under the protocol's trial_rule), "valid_any", "valid_all" (only without the protocol's
  // stop_at_verdict, which leaves them lower bounds) and "sim_max_translation" [m],
  // so a dataset can be filtered like DexGraspNet's. The protocol is part of the parameters.
  std::optional<SimProtocol> validate;
  std::filesystem::path validate_cache;  // convex parts cache (empty: <out>/.cache)
  // Settling (off when empty; sim/settle.hpp): after synthesis, before validation, every grasp is closed in
  // MuJoCo as this protocol closes it; a grasp whose closing moved the object more than settle_threshold is
  // replaced by its settled configuration in the object's settled frame (energies recomputed there). The
  // file gets "settle_translation" [m] (how far the closing moved the object; NaN where the simulation
  // failed and the grasp kept its pose) and "settled" (1/0). On by default: docs/results.md, "Settling".
  std::optional<SimProtocol> settle = make_protocol("graspqp");
  double settle_threshold = 0.03;  // [m] the graspqp protocol's failure distance; 0: every grasp
  // Depenetration (off when empty; sim/settle.hpp clear_grasps_of_object): after settling, each grasp's hand
  // is moved out of the object until no hand-object contact of this protocol's scene at the grasp's start
  // pose (the pregrasp under a "stages" closing, as dexgraspbench's) is deeper than depenetrate_tolerance;
  // the file gets "depenetrate_shift" [m]. For datasets judged under dexgraspbench: docs/results.md.
  std::optional<SimProtocol> depenetrate;
  double depenetrate_tolerance = 0.0005;  // [m]
};

// Everything that determines the results (not threads, not paths of outputs) as JSON; stored in each
// file and compared on resume.
nlohmann::json generation_parameters(const GenerateOptions& options);

struct ObjectReport {
  std::string name;
  std::filesystem::path object, file;
  std::string status;  // "generated" | "skipped" (finished earlier with the same parameters) | "failed"
  std::string error;   // for "failed": the one-line reason
  int grasps = 0;
  double best_energy = 0, mean_energy = 0, seconds = 0;
  double acceptance = 0;
  int valid = -1;  // grasps that passed --validate (-1: not validated)
  // Where the time went (wall clock, except energy_cpu_seconds: summed over threads).
  double synthesis_seconds = 0, energy_cpu_seconds = 0, settle_seconds = 0, validation_seconds = 0;
};

struct GenerateProgress {
  int object_index = 0, objects = 0;
  std::string object;
  SamplerProgress sampler;
  int validated = -1, to_validate = 0;  // during --validate: grasps simulated so far (-1: optimizing)
};

// Output file of one object.
std::filesystem::path grasp_file_path(const GenerateOptions& options, const std::string& object_name);

// The fixed part of a generation job, built once and shared by its objects: the hand, the grasp type,
// the effective options (initialization merged: built-in < hand.json "init" < overrides) and the
// parameters every file records.
struct GenerationSetup {
  std::shared_ptr<const HandModel> hand;
  GenerateOptions options;
  const GraspType* type = nullptr;  // in *hand
  nlohmann::json parameters;
  std::string parameters_text;  // parameters.dump(), compared on resume
};
// Checks the options (ranges, grasp type, protocol) and loads the hand unless one is given.
GenerationSetup prepare_generation(const GenerateOptions& options, std::shared_ptr<const HandModel> hand = nullptr);

// Called with the object and the finished dataset before generate_object returns (extra summaries).
using ObjectResultHook = std::function<void(const ObjectModel&, const GraspDataset&)>;
// Synthesizes (and with options.validate, validates) one object and writes `file` atomically; status
// "generated". Throws graspqp::Error for an unreadable or degenerate mesh (no file is written then).
ObjectReport generate_object(const GenerationSetup& setup, const ObjectSource& object,
                             const std::filesystem::path& file,
                             const std::function<void(const SamplerProgress&)>& on_step = {},
                             const EvalProgress& on_validate = {}, const ObjectResultHook& on_result = {});

// Runs the job. Checks everything it can before any work (hand, grasp type, writable output, existing
// files with different parameters) and throws graspqp::Error with a one-line message on bad input.
// An object that fails later (unreadable or degenerate mesh) is reported with status "failed"
// (and passed to on_error) and the run goes on. Writes <out>/summary.json at the end.
// An exception thrown by `progress` (e.g. to cancel) stops the run: objects in flight stop at their next
// callback or finish, no new object starts, no summary is written, and the first exception is rethrown;
// every file is complete or absent.
std::vector<ObjectReport> generate_dataset(const GenerateOptions& options, const std::vector<ObjectSource>& objects,
                                           const std::function<void(const GenerateProgress&)>& progress = {},
                                           const std::function<void(const ObjectReport&)>& on_error = {});

}  // namespace graspqp
