#include <graspqp/dataset/generate.hpp>
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/sim/evaluate.hpp>
#include <graspqp/sim/settle.hpp>
#include <graspqp/version.hpp>

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

namespace {

bool is_mesh_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".obj" || ext == ".stl" || ext == ".ply";
}

// Name of an object from its path: DexGraspNet codes, YCB-style folder names, else the file stem.
std::string object_name(const fs::path& p) {
  const std::string file = p.filename().string();
  if (p.parent_path().filename() == "coacd") return p.parent_path().parent_path().filename().string();
  if (file == "textured.obj" || file == "model.obj" || file == "textured_simple.obj" || file == "nontextured.ply")
    return p.parent_path().filename().string();
  return p.stem().string();
}

// Where settling and validation cache the convex parts: --validate-cache, else <out>/.cache.
fs::path convex_parts_cache(const GenerateOptions& o) {
  return o.validate_cache.empty() ? o.out / ".cache" : o.validate_cache;
}

// --validate: simulates the object's grasps and stores the verdicts as per-grasp datasets; returns the
// number of valid grasps. Perturbation seeds derive from the object's seed (same result for any thread
// count, as evaluation itself).
// `scene`: the object's scene built for settling, used when the validation protocol compiles to the same
// model (null: built here).
int validate_grasps(const HandModel& hand, const ObjectModel& object, const GenerateOptions& o,
                    std::uint64_t object_seed, GraspDataset& d, const EvalProgress& progress,
                    std::shared_ptr<const SimScene> scene) {
  EvalOptions e;
  e.protocol = *o.validate;
  e.threads = o.threads;
  e.seed = object_seed;
  e.analytic_metrics = false;
  e.scene.cache_dir = convex_parts_cache(o);
  if (!scene) scene = build_sim_scene(hand, object, e.protocol, e.scene);
  const std::vector<GraspEvalResult> results = simulate_grasps(*scene, hand, dataset_sim_grasps(hand, d), e, progress);
  const int n = d.n_grasps();
  Eigen::VectorXd valid(n), any(n), all(n), moved(n);
  for (int i = 0; i < n; ++i) {
    valid[i] = results[i].success;
    any[i] = results[i].success_any;
    all[i] = results[i].success_all;
    moved[i] = results[i].max_translation;
  }
  d.extra["valid"] = valid;
  if (!e.protocol.stop_at_verdict) {  // else only lower bounds: not stored
    d.extra["valid_any"] = any;
    d.extra["valid_all"] = all;
  }
  d.extra["sim_max_translation"] = moved;
  return static_cast<int>(valid.sum());
}

}  // namespace

std::vector<ObjectSource> name_objects(const std::vector<fs::path>& files) {
  std::vector<ObjectSource> out;
  std::map<std::string, int> used;
  for (const auto& f : files) {
    std::string base = object_name(f);
    if (base.empty()) base = "object";
    std::string name = base;
    for (int k = 2; used.count(name); ++k) name = base + "_" + std::to_string(k);
    used[name] = 1;
    out.push_back({f, name});
  }
  return out;
}

std::vector<ObjectSource> discover_objects(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir.string() + ": not a directory");
  std::vector<fs::path> files;
  // Symbolic links to folders are followed (datasets are often assembled from links), each folder once:
  // a link back up the tree would otherwise be walked forever.
  std::set<fs::path> visited = {fs::canonical(dir, ec)};
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec)) {
      if (!visited.insert(fs::canonical(it->path(), ec)).second || ec) it.disable_recursion_pending();
      ec.clear();
      continue;
    }
    if (it->is_regular_file(ec) && is_mesh_file(it->path())) files.push_back(it->path());
  }
  if (ec) throw Error(dir.string() + ": cannot be listed (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  // DexGraspNet: one mesh per code; prefer coacd/remeshed.obj, then coacd/decomposed.obj, and ignore
  // other files of a coacd folder (its convex parts).
  std::set<fs::path> coacd_dirs;
  for (const auto& f : files)
    if (f.parent_path().filename() == "coacd") coacd_dirs.insert(f.parent_path());
  std::vector<fs::path> chosen;
  for (const auto& f : files) {
    if (f.parent_path().filename() != "coacd") {
      chosen.push_back(f);
      continue;
    }
    const fs::path d = f.parent_path();
    const bool has_remeshed = fs::exists(d / "remeshed.obj");
    const std::string want = has_remeshed ? "remeshed.obj" : "decomposed.obj";
    if (f.filename() == want) chosen.push_back(f);
  }
  if (chosen.empty()) throw Error(dir.string() + ": no mesh files (OBJ, STL, PLY) found");
  return name_objects(chosen);
}

json generation_parameters(const GenerateOptions& o) {
  const EnergyWeights& w = o.energy.weights;
  const ForceClosureQpParams& qp = o.energy.qp;
  const SamplerOptions& s = o.sampler;
  const InitOptions& i = o.init;
  json j;
  j["hand"] = o.hand;
  j["grasp_type"] = o.grasp_type;
  j["grasps"] = o.grasps;
  j["contacts"] = o.contacts;
  j["seed"] = o.seed;
  j["scale"] = o.scale;
  j["surface_samples"] = o.surface_samples;
  j["energy"] = to_string(o.energy.force_closure);
  j["weights"] = {{"dis", w.dis},       {"fc", w.fc},       {"pen", w.pen},   {"spen", w.spen},
                  {"joints", w.joints}, {"prior", w.prior}, {"wall", w.wall}, {"hpen", w.hpen}};
  j["table_z"] = o.energy.table_z;
  j["force_closure_qp"] = {
      {"friction", qp.friction},     {"cone_edges", qp.cone_edges}, {"torque_weight", qp.torque_weight},
      {"lambda_min", qp.lambda_min}, {"lambda_max", qp.lambda_max}, {"svd_gain", qp.svd_gain},
      {"value_gain", qp.value_gain}, {"value_eps", qp.value_eps},   {"reference_tangents", qp.reference_tangents}};
  j["dexgraspnet_torque_weight"] = o.energy.dexgraspnet_torque_weight;
  j["self_penetration_skip_adjacent"] = o.energy.self_penetration.skip_adjacent_links;
  j["optimizer"] = {{"kind", to_string(s.kind)},
                    {"iterations", s.iterations},
                    {"step_size", s.step_size},
                    {"step_period", s.step_period},
                    {"temperature", s.temperature},
                    {"temperature_period", s.temperature_period},
                    {"decay", s.decay},
                    {"ema_weight", s.ema_weight},
                    {"switch_probability", s.switch_probability},
                    {"reset_period", s.reset_period},
                    {"z_threshold", s.z_threshold},
                    {"langevin", s.langevin},
                    {"freeze_after", s.freeze_after}};
  j["init"] = {{"distance_lower", i.distance_lower}, {"distance_upper", i.distance_upper},
               {"hull_offset", i.hull_offset},       {"roll_range", i.roll_range},
               {"pitch_range", i.pitch_range},       {"tilt_range", i.tilt_range},
               {"joint_jitter", i.joint_jitter}};
  j["poses"] = {{"pregrasp_scale", o.poses.pregrasp},
                {"squeeze_scale", o.poses.squeeze},
                {"closing", to_string(resolve_closing_policy(o.closing.policy, o.grasp_type))}};
  if (o.validate) j["validate"] = protocol_to_json(*o.validate);
  if (o.settle) {
    j["settle"] = protocol_to_json(*o.settle);
    j["settle_threshold"] = o.settle_threshold;
  }
  if (o.depenetrate) {
    j["depenetrate"] = protocol_to_json(*o.depenetrate);
    j["depenetrate_tolerance"] = o.depenetrate_tolerance;
  }
  return j;
}

fs::path grasp_file_path(const GenerateOptions& o, const std::string& object_name) {
  // --hand is a bundled name or a folder: files are named by the folder's name then.
  std::string hand = o.hand;
  if (hand.find('/') != std::string::npos) {
    fs::path folder = fs::path(hand).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();
    hand = folder.filename().string();
  }
  return o.out / object_name / (hand + "-" + o.grasp_type + "-" + to_string(o.energy.force_closure) + ".h5");
}

GenerationSetup prepare_generation(const GenerateOptions& options, std::shared_ptr<const HandModel> hand) {
  check_generate_options(options);  // every option's range, named as on the command line
  GenerationSetup s;
  s.hand = hand ? std::move(hand) : std::make_shared<const HandModel>(load_hand(options.hand));
  // Effective initialization: built-in defaults < the hand's hand.json "init" < user overrides; the
  // effective values are what the parameters record.
  s.options = options;
  s.options.init =
      apply_init_settings(apply_init_settings(options.init, s.hand->init_defaults), options.init_overrides);
  s.type = &s.hand->grasp_type(s.options.grasp_type);  // throws for an unknown grasp type
  if (s.type->candidates.empty()) throw Error("hand '" + s.hand->name + "' has no contact candidates");
  // Each contact of a grasp is a distinct candidate: more contacts than candidates would repeat some.
  const int n_candidates = static_cast<int>(s.type->candidates.size());
  if (s.options.contacts > n_candidates)
    throw Error("--contacts must be in [1, " + std::to_string(n_candidates) + "] for hand '" + s.hand->name +
                "', grasp type '" + s.options.grasp_type + "' (its contact candidates; got " +
                std::to_string(s.options.contacts) + ")");
  if (s.options.validate) validate_protocol(*s.options.validate);
  s.parameters = generation_parameters(s.options);
  s.parameters_text = s.parameters.dump();
  return s;
}

namespace {

struct SettleOutcome {
  Eigen::VectorXd moved, replaced;        // per grasp: how far the closing moved the object; 1 where replaced
  std::shared_ptr<const SimScene> scene;  // the object's scene under the settle protocol
};

// Whether two protocols compile to the same MuJoCo model: equal in every field but stop_at_verdict, which
// only decides when a trial's tests end.
bool same_model(SimProtocol a, SimProtocol b) {
  a.stop_at_verdict = b.stop_at_verdict = false;
  return protocol_to_json(a) == protocol_to_json(b);
}

// --settle: closes every grasp in simulation and moves the samples whose closing moved the object more than
// --settle-threshold to the settled pose and joints (energy recomputed there); returns how far each closing
// moved the object [m] (NaN where the simulation failed and the sample kept its pose), which moved, and
// the scene.
SettleOutcome settle_samples(const HandModel& hand, const GraspType& type, const ObjectModel& object,
                             const GenerateOptions& o, const GraspDataset& d, std::vector<Sample>& samples) {
  EvalOptions e;
  e.protocol = *o.settle;
  e.threads = o.threads;
  e.analytic_metrics = false;
  e.scene.cache_dir = convex_parts_cache(o);
  const auto scene = build_sim_scene(hand, object, e.protocol, e.scene);
  const std::vector<SettledGrasp> settled = settle_grasps(*scene, hand, dataset_sim_grasps(hand, d), e);
  Eigen::VectorXd moved = Eigen::VectorXd::Constant(d.n_grasps(), std::numeric_limits<double>::quiet_NaN());
  Eigen::VectorXd replaced = Eigen::VectorXd::Zero(d.n_grasps());
  EnergyWorkspace ws(hand);
  for (int b = 0; b < d.n_grasps(); ++b) {
    const SettledGrasp& g = settled[b];
    if (!g.error.empty()) continue;
    moved[b] = g.object_translation;
    if (!(g.object_translation > o.settle_threshold)) continue;  // the optimized grasp stays
    replaced[b] = 1;
    const Eigen::Quaterniond quat(g.root_pose[3], g.root_pose[4], g.root_pose[5], g.root_pose[6]);
    Sample& s = samples[b];
    s.x = make_state(g.root_pose.head<3>(), quat.normalized().toRotationMatrix(), g.joints);
    s.energy = grasp_energy(hand, type, object, o.energy, s.x, s.contacts, ws, s.terms, nullptr);
  }
  return {moved, replaced, scene};
}

struct DepenetrateOutcome {
  Eigen::VectorXd shift;                  // per grasp: how far the hand was moved [m]
  std::shared_ptr<const SimScene> scene;  // the object's scene under the depenetrate protocol
};

// --depenetrate: moves each sample's hand out of the object until no hand-object contact of the protocol's
// scene at the grasp's start pose is deeper than --depenetrate-tolerance (rotation and joints kept; energy
// recomputed); `scene` is used when given (it must be that protocol's).
DepenetrateOutcome depenetrate_samples(const HandModel& hand, const GraspType& type, const ObjectModel& object,
                                       const GenerateOptions& o, const GraspDataset& d, std::vector<Sample>& samples,
                                       std::shared_ptr<const SimScene> scene) {
  EvalOptions e;
  e.protocol = *o.depenetrate;
  e.threads = o.threads;
  e.analytic_metrics = false;
  e.scene.cache_dir = convex_parts_cache(o);
  if (!scene) scene = build_sim_scene(hand, object, e.protocol, e.scene);
  const std::vector<Vec3> pos =
      clear_grasps_of_object(*scene, hand, dataset_sim_grasps(hand, d), e, o.depenetrate_tolerance);
  Eigen::VectorXd shift(d.n_grasps());
  EnergyWorkspace ws(hand);
  for (int b = 0; b < d.n_grasps(); ++b) {
    Sample& s = samples[b];
    shift[b] = (pos[b] - s.x.head<3>()).norm();
    if (!(shift[b] > 0)) continue;
    s.x.head<3>() = pos[b];
    s.energy = grasp_energy(hand, type, object, o.energy, s.x, s.contacts, ws, s.terms, nullptr);
  }
  return {shift, scene};
}

}  // namespace

ObjectReport generate_object(const GenerationSetup& setup, const ObjectSource& src, const fs::path& file,
                             const std::function<void(const SamplerProgress&)>& on_step,
                             const EvalProgress& on_validate, const ObjectResultHook& on_result) {
  const GenerateOptions& o = setup.options;
  const HandModel& hand = *setup.hand;
  ObjectReport rep;
  rep.name = src.name;
  rep.object = src.path;
  rep.file = file;
  ObjectLoadOptions load;
  load.scale = o.scale;
  load.surface_samples = o.surface_samples;
  load.seed = o.seed;
  const ObjectModel object = load_object(src.path, load);
  const std::uint64_t object_seed = splitmix64(o.seed ^ hash_string(src.name));
  // Synthesis.
  SamplerStats stats;
  const auto synthesis_start = std::chrono::steady_clock::now();
  std::vector<Sample> samples = run_sampler(hand, *setup.type, object, o.energy, o.sampler, o.init, o.grasps,
                                            o.contacts, object_seed, on_step, &stats);
  rep.synthesis_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - synthesis_start).count();
  rep.energy_cpu_seconds = stats.energy_seconds;
  GraspDataset d;
  ClosingOptions closing = o.closing;
  closing.policy = resolve_closing_policy(closing.policy, o.grasp_type);
  fill_grasp_rows(hand, *setup.type, object, o.energy, samples, d, o.poses, closing);
  std::shared_ptr<const SimScene> settle_scene;
  if (o.settle) {
    const auto settle_start = std::chrono::steady_clock::now();
    SettleOutcome settled = settle_samples(hand, *setup.type, object, o, d, samples);
    fill_grasp_rows(hand, *setup.type, object, o.energy, samples, d, o.poses, closing);
    d.extra["settle_translation"] = settled.moved;
    d.extra["settled"] = settled.replaced;
    settle_scene = std::move(settled.scene);
    rep.settle_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - settle_start).count();
  }
  std::shared_ptr<const SimScene> depenetrate_scene;
  if (o.depenetrate) {
    const std::shared_ptr<const SimScene> reuse =
        o.settle && same_model(*o.settle, *o.depenetrate) ? settle_scene : nullptr;
    DepenetrateOutcome moved = depenetrate_samples(hand, *setup.type, object, o, d, samples, reuse);
    fill_grasp_rows(hand, *setup.type, object, o.energy, samples, d, o.poses, closing);
    d.extra["depenetrate_shift"] = moved.shift;
    depenetrate_scene = std::move(moved.scene);
  }
  // The validation reuses a scene that compiles the same model.
  std::shared_ptr<const SimScene> validate_scene;
  if (o.validate && o.depenetrate && same_model(*o.depenetrate, *o.validate)) validate_scene = depenetrate_scene;
  if (o.validate && o.settle && same_model(*o.settle, *o.validate) && !validate_scene) validate_scene = settle_scene;
  d.hand = hand.name;
  d.grasp_type = o.grasp_type;
  d.energy_name = to_string(o.energy.force_closure);
  d.object_path = src.path.string();
  d.object_sha256 = object.sha256;
  d.program_version = kVersion;
  d.scale = o.scale;
  d.object_center = object.center;
  d.parameters_json = setup.parameters_text;
  d.seed = o.seed;
  // Validation.
  if (o.validate) {
    const auto validation_start = std::chrono::steady_clock::now();
    rep.valid = validate_grasps(hand, object, o, object_seed, d, on_validate, std::move(validate_scene));
    rep.validation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - validation_start).count();
  }
  // The file, atomically.
  std::error_code dir_ec;
  fs::create_directories(file.parent_path(), dir_ec);
  write_grasp_file(file, d);
  rep.status = "generated";
  rep.grasps = d.n_grasps();
  rep.best_energy = d.energy.minCoeff();
  rep.mean_energy = d.energy.mean();
  rep.acceptance = stats.proposed > 0 ? static_cast<double>(stats.accepted) / stats.proposed : 0.0;
  if (on_result) on_result(object, d);
  return rep;
}

std::vector<ObjectReport> generate_dataset(const GenerateOptions& options, const std::vector<ObjectSource>& objects,
                                           const std::function<void(const GenerateProgress&)>& progress,
                                           const std::function<void(const ObjectReport&)>& on_error) {
  if (objects.empty()) throw Error("no objects to process");
  const GenerationSetup setup = prepare_generation(options);
  const GenerateOptions& o = setup.options;
  for (const auto& obj : objects)
    if (!fs::is_regular_file(obj.path)) throw Error(obj.path.string() + ": file not found");

  // Output directory must be writable before any work starts.
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec || !fs::is_directory(o.out)) throw Error(o.out.string() + ": cannot create the output directory");
  write_text_atomically(o.out / ".write_test", "");
  fs::remove(o.out / ".write_test", ec);

  const json& params = setup.parameters;
  const std::string& params_str = setup.parameters_text;
  // Resume: finished files with identical parameters are skipped; different parameters are refused
  // (before any work, so nothing is lost) unless --overwrite.
  std::vector<char> done(objects.size(), 0);
  for (size_t k = 0; k < objects.size(); ++k) {
    const fs::path file = grasp_file_path(o, objects[k].name);
    if (!fs::exists(file)) continue;
    // With --overwrite, unreadable files and files with other parameters are redone; finished files with
    // the same parameters are still skipped.
    GraspDataset existing;
    try {
      existing = read_grasp_file_attributes(file);
    } catch (const Error& e) {
      if (o.overwrite) continue;
      throw Error(file.string() + ": exists but cannot be read (" + e.what() + "); use --overwrite to redo it");
    }
    if (existing.parameters_json != params_str) {
      if (o.overwrite) continue;
      throw Error(file.string() + ": exists with different parameters; use --overwrite to redo it or another --out");
    }
    done[k] = 1;
  }

  std::unique_ptr<tbb::global_control> limit;
  if (o.threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);

  std::mutex progress_mutex;  // the callbacks are called from one thread at a time
  auto locked_progress = [&](const GenerateProgress& p) {
    std::lock_guard lock(progress_mutex);
    progress(p);
  };
  // One object: skip it (finished earlier), or synthesize, validate and write it.
  auto process = [&](size_t k) -> ObjectReport {
    const ObjectSource& src = objects[k];
    ObjectReport rep;
    rep.name = src.name;
    rep.object = src.path;
    rep.file = grasp_file_path(o, src.name);
    if (done[k]) {
      rep.status = "skipped";
      const GraspDataset existing = read_grasp_file(rep.file);
      rep.grasps = existing.n_grasps();
      if (rep.grasps > 0) {
        rep.best_energy = existing.energy.minCoeff();
        rep.mean_energy = existing.energy.mean();
      }
      if (auto it = existing.extra.find("valid"); it != existing.extra.end())
        rep.valid = static_cast<int>(it->second.sum());
      return rep;
    }
    const auto start = std::chrono::steady_clock::now();
    try {
      const int index = static_cast<int>(k), count = static_cast<int>(objects.size());
      SamplerProgress last;
      auto on_step = [&](const SamplerProgress& p) {
        last = p;
        if (progress) locked_progress(GenerateProgress{index, count, src.name, p});
      };
      auto on_validate = [&](int done, int total) {
        if (progress) locked_progress(GenerateProgress{index, count, src.name, last, done, total});
      };
      rep = generate_object(setup, src, rep.file, on_step, on_validate);
    } catch (const Error& e) {
      // A bad mesh in a large directory must not stop the run: it is reported, and the run exits
      // non-zero at the end. Finished files are untouched.
      rep.status = "failed";
      rep.error = e.what();
      if (on_error) {
        std::lock_guard lock(progress_mutex);
        on_error(rep);
      }
    }
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return rep;
  };

  // Objects are pipelined: one object in flight per thread, so that one object's per-step barrier over its
  // samples, or its validation, leaves no core idle. Each worker takes the next object index; results do
  // not depend on the schedule (every object has its own seed and data).
  // An exception that escapes an object (one thrown by a callback, e.g. the Python bindings' Ctrl-C) is kept
  // here rather than thrown through TBB: a task_group would cancel its other tasks' nested parallel loops
  // mid-step and leave their samplers half-updated. The other workers stop at their own next callback or
  // finish their current object (its file complete or absent), start no new one, and the first exception
  // is rethrown.
  std::vector<ObjectReport> reports(objects.size());
  std::atomic<size_t> next_object{0};
  std::atomic<bool> stopped{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (size_t k; !stopped && (k = next_object++) < objects.size();) {
      try {
        reports[k] = process(k);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        stopped = true;
      }
    }
  };
  const int workers = std::min<int>(static_cast<int>(objects.size()),
                                    o.threads > 0 ? o.threads : static_cast<int>(tbb::info::default_concurrency()));
  tbb::task_group group;
  for (int w = 0; w < workers; ++w) group.run(worker);
  group.wait();
  if (first_error) std::rethrow_exception(first_error);

  json summary;
  summary["program_version"] = kVersion;
  summary["parameters"] = params;
  summary["threads"] = o.threads > 0 ? o.threads : static_cast<int>(tbb::info::default_concurrency());
  summary["objects"] = json::array();
  for (const auto& r : reports)
    summary["objects"].push_back({{"name", r.name},
                                  {"object", r.object.string()},
                                  {"file", fs::relative(r.file, o.out).string()},
                                  {"status", r.status},
                                  {"error", r.error},
                                  {"grasps", r.grasps},
                                  {"best_energy", r.best_energy},
                                  {"mean_energy", r.mean_energy},
                                  {"acceptance_rate", r.acceptance},
                                  {"valid", r.valid},
                                  {"seconds", r.seconds},
                                  {"synthesis_seconds", r.synthesis_seconds},
                                  {"energy_cpu_seconds", r.energy_cpu_seconds},
                                  {"settle_seconds", r.settle_seconds},
                                  {"validation_seconds", r.validation_seconds}});
  check_finite_numbers(summary, (o.out / "summary.json").string());
  write_text_atomically(o.out / "summary.json", summary.dump(2) + "\n");
  return reports;
}

}  // namespace graspqp
