// `graspqp eval`: physics evaluation of grasp files in MuJoCo under a documented protocol, with the
// paper's metrics (success, penetration, entropy, unique grasps) and a report.
#include <graspqp/report/eval_job.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval",
      "Physics evaluation of grasp files in MuJoCo: success under a protocol (graspqp | dexgraspnet | dexgraspbench),\n"
      "penetration, contact distance, Q1, joint entropy, unique grasps, PCA diversity. Writes <out>/<name>.eval.h5\n"
      "per input (the input is never modified), <out>/report.json, <out>/report.md and plots. See docs/evaluation.md.");
  struct Opts {
    std::string grasps, out, protocol = "graspqp", protocol_config, hand, object, object_parts, cache;
    std::vector<std::string> settings;
    EvalOptions e;
    bool no_cache = false, no_plots = false, no_analytic = false, save_mjcf = false;
    int threads = 0;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--grasps", o->grasps, "Grasp file (.h5) or a folder searched recursively for them")->required();
  cmd->add_option("--out", o->out, "Output folder (created if missing)")->required();
  cmd->add_option(
         "--protocol", o->protocol,
         "graspqp | graspqp-fast | dexgraspnet | dexgraspbench | dexgraspbench-baseline | dexgraspbench-episode")
      ->capture_default_str();
  cmd->add_option("--protocol-config", o->protocol_config,
                  "JSON file overriding protocol fields (the keys of report.json's \"protocol\")");
  cmd->add_option("--set", o->settings,
                  "Override one protocol field: key=value (JSON value), e.g. --set magnitude=5 --set trial_rule=all; "
                  "repeatable")
      ->take_all();
  cmd->add_option("--threads", o->threads, "Worker threads (0: all cores)")->capture_default_str();
  cmd->add_option("--trials", o->e.trials, "Trials per grasp; trials after the first perturb the hand pose")
      ->capture_default_str();
  cmd->add_option("--perturb-translation", o->e.perturb_translation, "Pose perturbation of extra trials [m]")
      ->capture_default_str();
  cmd->add_option("--perturb-rotation", o->e.perturb_rotation_deg, "Pose perturbation of extra trials [deg]")
      ->capture_default_str();
  cmd->add_option("--seed", o->e.seed, "Seed of the perturbations")->capture_default_str();
  cmd->add_option("--hand", o->hand, "Override the hand of the files");
  cmd->add_option("--object", o->object, "Override the object mesh of the files");
  cmd->add_option("--object-parts", o->object_parts,
                  "Convex parts of the object: a folder of meshes (one part each, object file frame, before the "
                  "file's scale) or one multi-part OBJ; a folder holding <object name>/ subfolders is used per object");
  cmd->add_option("--concavity", o->e.scene.object_hacd.concavity,
                  "HACD concavity of the object decomposition (normalized units: bounding-box diagonal = 1000)")
      ->capture_default_str();
  cmd->add_option("--hacd-faces", o->e.scene.object_hacd.target_faces,
                  "Decimate objects to about this many faces before HACD (0: never)")
      ->capture_default_str();
  cmd->add_option("--cache", o->cache, "Folder of cached convex parts (default <out>/.cache)");
  cmd->add_flag("--no-cache", o->no_cache, "Do not read or write cached convex parts");
  cmd->add_flag("--no-analytic", o->no_analytic, "Skip the analytic metrics (penetration, contact distance, Q1)");
  cmd->add_flag("--no-plots", o->no_plots, "Do not make plots");
  cmd->add_flag("--save-mjcf", o->save_mjcf, "Also write the compiled MJCF model of each file (<name>.xml)");

  return [=]() -> int {
    EvalJobOptions job;
    job.eval = o->e;
    job.eval.protocol = load_protocol(o->protocol, o->protocol_config, o->settings);
    job.eval.threads = o->threads;
    job.eval.analytic_metrics = !o->no_analytic;
    job.grasps = o->grasps;
    job.out = o->out;
    job.hand = o->hand;
    job.object = o->object;
    job.object_parts = o->object_parts;
    job.cache = o->cache;
    job.use_cache = !o->no_cache;
    job.plots = !o->no_plots;
    job.save_mjcf = o->save_mjcf;

    EvalJobCallbacks cb;
    cb.started = [&](size_t files, int threads) {
      std::fprintf(stderr, "graspqp eval: %zu file(s), protocol %s, %d thread(s), %d trial(s) per grasp\n", files,
                   job.eval.protocol.name.c_str(), threads, job.eval.trials);
      std::printf("%-28s %-10s %-12s %6s %8s %8s %8s %8s %6s %6s\n", "object", "hand", "energy", "grasps", "success",
                  "any", "all", "pen. mm", "H", "g/s");
    };
    const bool tty = ::isatty(STDERR_FILENO);
    int last_decile = -1;
    size_t current_file = SIZE_MAX;
    auto t0 = std::chrono::steady_clock::now();
    cb.progress = [&](size_t file, size_t files, const std::string& object, int done, int total) {
      if (file != current_file) current_file = file, last_decile = -1, t0 = std::chrono::steady_clock::now();
      const int decile = total ? done * 10 / total : 10;
      if (!tty && decile == last_decile) return;
      last_decile = decile;
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "%s[eval] file %zu/%zu %-20.20s %d/%d grasps  %.1f s%s", tty ? "\r" : "", file + 1, files,
                   object.c_str(), done, total, el, tty ? "" : "\n");
      std::fflush(stderr);
    };
    cb.file_done = [&](const nlohmann::json& s) {
      if (tty) std::fprintf(stderr, "\n");
      const double rate = s["grasps_per_second"].is_number() ? s["grasps_per_second"].get<double>() : 0.0;
      std::printf("%-28.28s %-10.10s %-12.12s %6d %7.1f%% %7.1f%% %7.1f%% %8.2f %6.2f %6.2f\n",
                  s["object"].get<std::string>().c_str(), s["hand"].get<std::string>().c_str(),
                  s["energy"].get<std::string>().c_str(), s["grasps"].get<int>(), 100 * s["success_rate"].get<double>(),
                  100 * s["success_rate_any"].get<double>(), 100 * s["success_rate_all"].get<double>(),
                  s["penetration_depth_mm_mean"].get<double>(), s["joint_entropy"].get<double>(), rate);
      std::fflush(stdout);
    };
    const nlohmann::json report = run_eval_job(job, cb);
    const auto& ov = report["overall"];
    std::printf(
        "overall: %d grasps, success %.1f%% (any phase %.1f%%, all phases %.1f%%), %.2f grasps/s with %d thread(s)\n",
        ov["grasps"].get<int>(), 100 * ov["success_rate"].get<double>(), 100 * ov["success_rate_any"].get<double>(),
        100 * ov["success_rate_all"].get<double>(), ov["grasps_per_second"].get<double>(), ov["threads"].get<int>());
    const std::filesystem::path out(o->out);
    std::printf("wrote %s and %s\n", (out / "report.json").c_str(), (out / "report.md").c_str());
    return 0;
  };
}

}  // namespace graspqp::cli
