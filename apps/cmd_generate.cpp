// `graspqp generate`: grasp synthesis for one or many objects, one HDF5 file per object.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/error.hpp>
#include <graspqp/sim/protocol.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace graspqp::cli {

namespace {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

// Progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise (logs, CI).
class ProgressBar {
 public:
  explicit ProgressBar(long total) : total_(total), tty_(::isatty(STDERR_FILENO)), start_(clock::now()) {}
  void update(long done, const GenerateProgress& p) {
    const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
    const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : -1;
    const int decile = static_cast<int>(frac * 10);
    if (!tty_ && decile == last_decile_) return;
    last_decile_ = decile;
    const int width = 28, filled = static_cast<int>(frac * width);
    std::string bar(filled, '#');
    bar.resize(width, '.');
    char stage[64];
    if (p.validated >= 0) std::snprintf(stage, sizeof stage, "validate %d/%d", p.validated, p.to_validate);
    else std::snprintf(stage, sizeof stage, "it %d/%d", p.sampler.iteration, p.sampler.iterations);
    std::fprintf(stderr, "%s[%s] %3.0f%% object %d/%d %-16.16s %s best %.4g mean %.4g  %s elapsed, ETA %s%s",
                 tty_ ? "\r" : "", bar.c_str(), 100 * frac, p.object_index + 1, p.objects, p.object.c_str(), stage,
                 p.sampler.best, p.sampler.mean, format_duration(elapsed).c_str(), format_duration(eta).c_str(),
                 tty_ ? "" : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  using clock = std::chrono::steady_clock;
  long total_;
  bool tty_;
  clock::time_point start_;
  int last_decile_ = -1;
};

}  // namespace

Handler add_generate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Synthesize grasps for objects (GraspQP energy, MALA* sampler)");
  struct Opts {
    GenerateOptions g;
    std::vector<std::string> objects;
    std::string objects_dir, energy = "graspqp", optimizer = "mala-star", validate;
    std::vector<std::string> validate_settings;
  };
  auto o = std::make_shared<Opts>();
  GenerateOptions& g = o->g;
  cmd->add_option("--hand", g.hand, "Hand name or folder holding a hand.json")->required();
  auto* obj = cmd->add_option("--object", o->objects, "Object mesh file(s) (OBJ, STL, PLY), metres");
  auto* dir = cmd->add_option("--objects", o->objects_dir, "Directory of meshes (also DexGraspNet's <code>/coacd/ layout)");
  obj->excludes(dir);
  cmd->add_option("--out", g.out, "Output directory")->required();
  cmd->add_option("--grasp-type", g.grasp_type, "full | precision | pinch (as the hand defines)")->capture_default_str();
  cmd->add_option("--grasps", g.grasps, "Grasps per object")->capture_default_str();
  cmd->add_option("--contacts", g.contacts, "Contacts per grasp")->capture_default_str();
  cmd->add_option("--iters", g.sampler.iterations, "Optimization steps")->capture_default_str();
  cmd->add_option("--energy", o->energy, "Force-closure energy: graspqp | dexgraspnet | tdg")->capture_default_str();
  cmd->add_option("--optimizer", o->optimizer, "mala-star | annealing (DexGraspNet)")->capture_default_str();
  cmd->add_option("--seed", g.seed, "Random seed")->capture_default_str();
  cmd->add_option("--threads", g.threads, "Worker threads (0: all cores); results do not depend on it")->capture_default_str();
  cmd->add_option("--scale", g.scale, "Uniform object scale")->capture_default_str();
  cmd->add_flag("--overwrite", g.overwrite, "Redo files that exist with different parameters");
  cmd->add_option("--validate", o->validate,
                  "Simulate each object's grasps in MuJoCo under this protocol (graspqp | dexgraspnet | dexgraspbench) "
                  "and mark them in the file's \"valid\" dataset");
  cmd->add_option("--validate-set", o->validate_settings,
                  "Override one field of the --validate protocol: key=value (as graspqp eval --set)");
  cmd->add_option("--validate-cache", g.validate_cache, "Folder of cached convex parts (default <out>/.cache)");
  auto* adv = cmd->add_option_group("energy and sampler parameters");
  adv->add_option("--w-dis", g.energy.weights.dis, "Weight of E_dis")->capture_default_str();
  adv->add_option("--w-fc", g.energy.weights.fc, "Weight of E_fc")->capture_default_str();
  adv->add_option("--w-pen", g.energy.weights.pen, "Weight of E_pen")->capture_default_str();
  adv->add_option("--w-spen", g.energy.weights.spen, "Weight of E_spen")->capture_default_str();
  adv->add_option("--w-joints", g.energy.weights.joints, "Weight of E_joints")->capture_default_str();
  adv->add_option("--w-prior", g.energy.weights.prior, "Weight of E_prior (table-top: grasp axis down)")->capture_default_str();
  adv->add_option("--w-hpen", g.energy.weights.hpen,
                  "Weight of E_hpen (hand surface points inside the object; 0: the reference's energy)")
      ->capture_default_str();
  adv->add_option("--w-wall", g.energy.weights.wall, "Weight of E_wall (table-top: no hand point below the table)")->capture_default_str();
  adv->add_option("--table-z", g.energy.table_z, "Height of the table plane in the object frame [m]")->capture_default_str();
  adv->add_option("--friction", g.energy.qp.friction, "Friction coefficient of the QP's cones")->capture_default_str();
  adv->add_option("--cone-edges", g.energy.qp.cone_edges, "Edges per linearized friction cone")->capture_default_str();
  adv->add_option("--torque-weight", g.energy.qp.torque_weight, "Torque weight of the grasp matrix")->capture_default_str();
  adv->add_option("--lambda-min", g.energy.qp.lambda_min, "Lower bound of the QP's edge forces")->capture_default_str();
  adv->add_option("--lambda-max", g.energy.qp.lambda_max, "Upper bound of the QP's edge forces")->capture_default_str();
  adv->add_flag("--reference-tangents", g.energy.qp.reference_tangents,
                "Unnormalized cone tangents as the reference (direction-dependent friction)");
  adv->add_option("--surface-samples", g.surface_samples, "Object surface samples for E_pen")->capture_default_str();
  adv->add_option("--step-size", g.sampler.step_size, "Initial step size")->capture_default_str();
  adv->add_option("--temperature", g.sampler.temperature, "Initial temperature")->capture_default_str();
  adv->add_option("--step-period", g.sampler.step_period, "Steps between step-size decays (per sample)")
      ->capture_default_str();
  adv->add_option("--temperature-period", g.sampler.temperature_period, "Steps between temperature decays")
      ->capture_default_str();
  adv->add_option("--decay", g.sampler.decay, "Decay factor of step size and temperature")->capture_default_str();
  adv->add_option("--switch-probability", g.sampler.switch_probability, "Per-contact switch probability")->capture_default_str();
  adv->add_option("--reset-period", g.sampler.reset_period, "MALA*: steps between resets (0: none)")->capture_default_str();
  adv->add_option("--z-threshold", g.sampler.z_threshold, "MALA*: reset samples above this z-score")->capture_default_str();
  adv->add_option("--freeze-after", g.sampler.freeze_after,
                  "MALA*: a sample stops after this many steps of its own schedule until a reset (0: never)")
      ->capture_default_str();
  adv->add_option("--langevin", g.sampler.langevin, "Langevin noise scale (0: off)")->capture_default_str();
  auto* init = cmd->add_option_group("initialization (defaults: the hand's hand.json \"init\", else built-in)");
  auto init_option = [&](const char* flag, const char* key, const char* help) {
    init->add_option_function<double>(flag, [o, key](double v) { o->g.init_overrides[key] = v; }, help);
  };
  init_option("--distance-lower", "distance_lower", "Closest initial stand-off beyond the hull [m] (built-in 0.05)");
  init_option("--distance-upper", "distance_upper", "Farthest initial stand-off beyond the hull [m] (built-in 0.10)");
  init_option("--roll-range", "roll_range", "Initial roll about the approach axis, +- [rad] (built-in pi)");
  init_option("--pitch-range", "pitch_range", "Initial pitch, +- [rad] (built-in 0.26)");
  init_option("--tilt-range", "tilt_range", "Initial tilt of the approach direction, +- [rad] (built-in 0.79)");
  init_option("--joint-jitter", "joint_jitter", "Initial joint noise, sigma as a fraction of the range (built-in 0.1)");

  return [=]() {
    GenerateOptions opts = o->g;
    opts.energy.force_closure = parse_force_closure_kind(o->energy);
    opts.sampler.kind = parse_sampler_kind(o->optimizer);
    if (!o->validate.empty()) {
      SimProtocol p = make_protocol(o->validate);
      p.stop_at_verdict = true;  // only the verdict is stored; --validate-set stop_at_verdict=false for all tests
      for (const auto& setting : o->validate_settings) apply_protocol_setting(p, setting);
      opts.validate = p;
    } else if (!o->validate_settings.empty()) {
      throw Error("--validate-set needs --validate PROTOCOL");
    }
    std::vector<ObjectSource> objects;
    if (!o->objects_dir.empty()) {
      objects = discover_objects(o->objects_dir);
    } else if (!o->objects.empty()) {
      std::vector<std::filesystem::path> files(o->objects.begin(), o->objects.end());
      objects = name_objects(files);
    } else {
      throw Error("give objects with --object PATH ... or --objects DIR");
    }
    const long total = static_cast<long>(objects.size()) * std::max(1, opts.sampler.iterations);
    ProgressBar bar(total);
    const auto start = std::chrono::steady_clock::now();
    const auto reports = generate_dataset(
        opts, objects,
        [&](const GenerateProgress& p) {
          bar.update(static_cast<long>(p.object_index) * std::max(1, p.sampler.iterations) + p.sampler.iteration, p);
        },
        [&](const ObjectReport& r) { std::cerr << "graspqp: error: " << r.error << "\n"; });
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool validating = opts.validate.has_value();
    std::printf("\n%-24s %-10s %6s %12s %12s %8s %8s%s\n", "object", "status", "grasps", "best E", "mean E", "accept",
                "time", validating ? "    valid" : "");
    int generated = 0, skipped = 0, failed = 0, grasps = 0, valid = 0;
    for (const auto& r : reports) {
      std::printf("%-24.24s %-10s %6d %12.5g %12.5g %7.1f%% %7.1fs", r.name.c_str(), r.status.c_str(), r.grasps,
                  r.best_energy, r.mean_energy, 100 * r.acceptance, r.seconds);
      if (validating && r.valid >= 0) std::printf(" %8d", r.valid);
      std::printf("\n");
      (r.status == "generated" ? generated : r.status == "skipped" ? skipped : failed)++;
      if (r.valid >= 0) grasps += r.grasps, valid += r.valid;
    }
    if (validating && grasps > 0)
      std::printf("\n%d of %d grasps valid under the %s protocol (%.1f%%)\n", valid, grasps, opts.validate->name.c_str(),
                  100.0 * valid / grasps);
    std::printf("\n%d objects generated, %d skipped (already finished), %d failed in %.1f s; results in %s (summary.json)\n",
                generated, skipped, failed, seconds, opts.out.c_str());
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace graspqp::cli
