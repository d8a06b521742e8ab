// `graspqp eval`: physics evaluation of grasp files in MuJoCo under a documented protocol, with the
// paper's metrics (success, penetration, entropy, unique grasps) and a report.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/sim/eval_report.hpp>

#include <tbb/task_arena.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"

namespace graspqp::cli {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Finds the plot script next to the assets folder (source tree) and runs it with Debian's python3.
std::vector<std::string> make_plots(const fs::path& out) {
  const fs::path script = fs::path(GRASPQP_ASSETS_DIR).parent_path() / "scripts" / "plot_report.py";
  const char* python = "/usr/bin/python3";
  if (!fs::exists(script) || !fs::exists(python)) {
    std::fprintf(stderr, "graspqp eval: warning: plots skipped (%s not found)\n",
                 fs::exists(script) ? python : script.c_str());
    return {};
  }
  const std::string cmd = std::string(python) + " " + shell_quote(script.string()) + " " + shell_quote(out.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::vector<std::string> files;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (!s.empty()) files.push_back(s);
  }
  const int rc = ::pclose(pipe);
  if (rc != 0) {
    std::fprintf(stderr, "graspqp eval: warning: plots skipped (the plot script failed; is python3-matplotlib installed?)\n");
    return {};
  }
  return files;
}

}  // namespace

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
  cmd->add_option("--protocol", o->protocol, "graspqp | dexgraspnet | dexgraspbench")->capture_default_str();
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
    EvalOptions e = o->e;
    e.protocol = make_protocol(o->protocol);
    if (!o->protocol_config.empty()) {
      std::ifstream in(o->protocol_config);
      if (!in) throw Error(o->protocol_config + ": cannot open protocol configuration");
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& ex) {
        throw Error(o->protocol_config + ": not valid JSON (" + std::string(ex.what()) + ")");
      }
      apply_protocol_json(e.protocol, j);
    }
    for (const auto& s : o->settings) apply_protocol_setting(e.protocol, s);
    validate_protocol(e.protocol);
    if (e.trials < 1) throw Error("--trials must be >= 1");
    if (o->threads < 0) throw Error("--threads must be >= 0");
    e.threads = o->threads;
    e.analytic_metrics = !o->no_analytic;
    const int threads = e.threads > 0 ? e.threads : tbb::this_task_arena::max_concurrency();

    // Inputs.
    const fs::path input(o->grasps);
    std::vector<std::pair<fs::path, fs::path>> files;  // (input, output relative to --out)
    if (fs::is_directory(input)) {
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || entry.path().extension() != ".h5") continue;
        if (name.size() > 8 && name.substr(name.size() - 8) == ".eval.h5") continue;
        if (name[0] == '.') continue;  // temporaries of atomic writes
        const fs::path rel = fs::relative(entry.path(), input);
        files.emplace_back(entry.path(), rel.parent_path() / (entry.path().stem().string() + ".eval.h5"));
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw Error(input.string() + ": no grasp files (.h5) in the folder");
    } else if (fs::exists(input)) {
      files.emplace_back(input, input.stem().string() + ".eval.h5");
    } else {
      throw Error(input.string() + ": file not found");
    }
    const fs::path out(o->out);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out)) throw Error(out.string() + ": cannot create the output folder");
    e.scene.cache_dir = o->no_cache ? fs::path() : (o->cache.empty() ? out / ".cache" : fs::path(o->cache));

    std::map<std::string, std::shared_ptr<HandModel>> hands;
    std::vector<nlohmann::json> summaries;
    const auto wall0 = std::chrono::steady_clock::now();
    std::fprintf(stderr, "graspqp eval: %zu file(s), protocol %s, %d thread(s), %d trial(s) per grasp\n", files.size(),
                 e.protocol.name.c_str(), threads, e.trials);
    std::printf("%-28s %-10s %-12s %6s %8s %8s %8s %8s %6s %6s\n", "object", "hand", "energy", "grasps", "success",
                "any", "all", "pen. mm", "H", "g/s");
    for (size_t fi = 0; fi < files.size(); ++fi) {
      const auto& [in_file, rel_out] = files[fi];
      const GraspDataset d = read_grasp_file(in_file);
      const std::string hand_name = o->hand.empty() ? d.hand : o->hand;
      auto& hand_ptr = hands[hand_name];
      if (!hand_ptr) hand_ptr = std::make_shared<HandModel>(load_hand(hand_name));
      const HandModel& hand = *hand_ptr;
      const fs::path object_path = o->object.empty() ? fs::path(d.object_path) : fs::path(o->object);
      if (!fs::exists(object_path))
        throw Error(in_file.string() + ": object mesh '" + object_path.string() + "' not found (use --object)");
      ObjectLoadOptions lo;
      lo.scale = d.scale;
      lo.surface_samples = 200;
      const ObjectModel object = load_object(object_path, lo);
      const std::string object_name = name_objects({object_path}).front().name;

      EvalOptions fe = e;
      if (!o->object_parts.empty()) {
        const fs::path per_object = fs::path(o->object_parts) / object_name;
        fe.scene.object_parts = fs::is_directory(per_object) ? per_object : fs::path(o->object_parts);
      }
      const auto t0 = std::chrono::steady_clock::now();
      int last_decile = -1;
      const bool tty = ::isatty(STDERR_FILENO);
      auto progress = [&](int done, int total) {
        const int decile = total ? done * 10 / total : 10;
        if (!tty && decile == last_decile) return;
        last_decile = decile;
        const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "%s[eval] file %zu/%zu %-20.20s %d/%d grasps  %.1f s%s", tty ? "\r" : "", fi + 1,
                     files.size(), object_name.c_str(), done, total, el, tty ? "" : "\n");
        std::fflush(stderr);
      };
      std::shared_ptr<const SimScene> scene;
      const auto tb = std::chrono::steady_clock::now();
      scene = build_sim_scene(hand, object, fe.protocol, fe.scene);
      const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - tb).count();
      const auto ts = std::chrono::steady_clock::now();
      std::vector<GraspEvalResult> results = simulate_grasps(*scene, hand, dataset_sim_grasps(hand, d), fe, progress);
      const double sim_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
      if (tty) std::fprintf(stderr, "\n");
      double metrics_s = 0;
      if (e.analytic_metrics && d.n_grasps() > 0) {
        const auto tm = std::chrono::steady_clock::now();
        add_analytic_metrics(hand, object, d, results, e);
        metrics_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - tm).count();
      }

      EvalFileRecord rec;
      rec.input = in_file;
      rec.output = out / rel_out;
      rec.object_name = object_name;
      rec.hand = hand.name;
      rec.grasp_type = d.grasp_type;
      rec.energy = d.energy_name;
      rec.object_path = object_path.string();
      rec.object_sha256 = d.object_sha256;
      const auto sg = dataset_sim_grasps(hand, d);
      rec.root_pose.resize(sg.size(), 7);
      rec.joints.resize(sg.size(), hand.dof());
      for (size_t b = 0; b < sg.size(); ++b) {
        rec.root_pose.row(b) = sg[b].root_pose.transpose();
        rec.joints.row(b) = sg[b].joints.transpose();
      }
      rec.lower = hand.lower_limits();
      rec.upper = hand.upper_limits();
      for (const auto& j : hand.joints) rec.joint_names.push_back(j.name);
      rec.results = std::move(results);
      rec.object_mass = scene->object_mass;
      rec.object_parts = scene->object_parts;
      rec.hand_parts = scene->hand_parts;
      rec.object_parts_source = scene->object_parts_source;
      rec.decomposition_seconds = scene->decomposition_seconds;
      rec.build_seconds = build_s;
      rec.simulation_seconds = sim_s;
      rec.metrics_seconds = metrics_s;
      fs::create_directories(rec.output.parent_path(), ec);
      if (fs::weakly_canonical(rec.output) == fs::weakly_canonical(in_file))
        throw Error(rec.output.string() + ": would overwrite the input");
      write_eval_file(rec, e);
      if (o->save_mjcf) {
        fs::path xml = rec.output;
        xml.replace_extension("").replace_extension(".xml");
        write_text_atomically(xml, scene->mjcf);
      }
      summaries.push_back(eval_file_summary(rec, e));
      const auto& s = summaries.back();
      std::printf("%-28.28s %-10.10s %-12.12s %6d %7.1f%% %7.1f%% %7.1f%% %8.2f %6.2f %6.2f\n", object_name.c_str(),
                  hand.name.c_str(), d.energy_name.c_str(), d.n_grasps(), 100 * s["success_rate"].get<double>(),
                  100 * s["success_rate_any"].get<double>(), 100 * s["success_rate_all"].get<double>(),
                  s["penetration_depth_mm_mean"].get<double>(), s["joint_entropy"].get<double>(),
                  sim_s > 0 ? d.n_grasps() / sim_s : 0.0);
      std::fflush(stdout);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    nlohmann::json report = eval_report(summaries, e, wall, threads);
    write_text_atomically(out / "report.json", report.dump(1) + "\n");
    std::vector<std::string> plots;
    if (!o->no_plots) plots = make_plots(out);
    write_text_atomically(out / "report.md", eval_report_markdown(report, plots));
    const auto& ov = report["overall"];
    std::printf("overall: %d grasps, success %.1f%% (any phase %.1f%%, all phases %.1f%%), %.2f grasps/s with %d thread(s)\n",
                ov["grasps"].get<int>(), 100 * ov["success_rate"].get<double>(),
                100 * ov["success_rate_any"].get<double>(), 100 * ov["success_rate_all"].get<double>(),
                ov["grasps_per_second"].get<double>(), threads);
    std::printf("wrote %s and %s\n", (out / "report.json").c_str(), (out / "report.md").c_str());
    return 0;
  };
}

}  // namespace graspqp::cli
