// `graspqp eval` as a library job: find the files, simulate each one, write the eval files and reports.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/report/eval_job.hpp>

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "plot_script.hpp"

namespace graspqp {

namespace fs = std::filesystem;

namespace {

const nlohmann::json& json_null() {
  static const nlohmann::json null;
  return null;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The record of one evaluated file: its grasps as simulated, the results and the scene's facts.
EvalFileRecord make_record(const HandModel& hand, const GraspDataset& d, const std::vector<SimGrasp>& sg,
                           const SimScene& scene, std::vector<GraspEvalResult> results) {
  EvalFileRecord rec;
  rec.hand = hand.name;
  rec.grasp_type = d.grasp_type;
  rec.energy = d.energy_name;
  rec.object_sha256 = d.object_sha256;
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
  rec.object_mass = scene.object_mass;
  rec.object_parts = scene.object_parts;
  rec.hand_parts = scene.hand_parts;
  rec.object_parts_source = scene.object_parts_source;
  rec.decomposition_seconds = scene.decomposition_seconds;
  return rec;
}

}  // namespace

SimProtocol load_protocol(const std::string& name, const fs::path& config_file,
                          const std::vector<std::string>& settings) {
  SimProtocol protocol = make_protocol(name);
  if (!config_file.empty()) apply_protocol_json(protocol, read_json_file(config_file));
  for (const auto& s : settings) apply_protocol_setting(protocol, s);
  validate_protocol(protocol);
  return protocol;
}

std::vector<std::pair<fs::path, fs::path>> find_grasp_files(const fs::path& input) {
  std::vector<std::pair<fs::path, fs::path>> files;
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
  return files;
}

nlohmann::json eval_resume_key(const fs::path& input, const std::string& hand, const fs::path& object,
                               const EvalOptions& options, bool save_mjcf) {
  return {{"source_file", input.string()},
          {"source_sha256", sha256_file(input)},
          {"hand", hand},
          {"object_path", object.string()},
          {"object_sha256", sha256_file(object)},
          {"object_parts", options.scene.object_parts.string()},
          {"protocol", protocol_to_json(options.protocol)},
          {"options", eval_options_json(options)},
          {"save_mjcf", save_mjcf}};
}

std::optional<nlohmann::json> finished_eval_summary(const fs::path& summary_file, const fs::path& eval_file,
                                                    const nlohmann::json& key) {
  std::error_code ec;
  if (!fs::is_regular_file(summary_file, ec) || !fs::is_regular_file(eval_file, ec)) return std::nullopt;
  nlohmann::json j;
  try {
    j = read_json_file(summary_file);
  } catch (const Error&) {
    return std::nullopt;  // unreadable: evaluated again (and replaced)
  }
  if (!j.is_object() || j.value("format", json_null()) != "graspqp-eval-summary" ||
      j.value("format_version", json_null()) != 1 || j.value("job", json_null()) != key ||
      !j.value("summary", json_null()).is_object() || !j.value("eval_file_sha256", json_null()).is_string())
    return std::nullopt;
  try {
    if (sha256_file(eval_file) != j.at("eval_file_sha256").get<std::string>()) return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;
  }
  return j.at("summary");
}

nlohmann::json run_eval_job(const EvalJobOptions& o, const EvalJobCallbacks& cb) {
  validate_eval_options(o.eval);
  EvalOptions e = o.eval;
  const int threads = e.threads > 0 ? e.threads : tbb::this_task_arena::max_concurrency();
  const auto files = find_grasp_files(o.grasps);
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec || !fs::is_directory(o.out)) throw Error(o.out.string() + ": cannot create the output folder");
  // A read-only or full output folder is found before any work.
  write_text_atomically(o.out / ".graspqp_write_test", "");
  fs::remove(o.out / ".graspqp_write_test", ec);
  e.scene.cache_dir = !o.use_cache ? fs::path() : (o.cache.empty() ? o.out / ".cache" : o.cache);
  for (const auto& [in_file, rel_out] : files) {
    const fs::path a = fs::weakly_canonical(o.out / rel_out, ec), b = fs::weakly_canonical(in_file, ec);
    if (!a.empty() && a == b) throw Error((o.out / rel_out).string() + ": would overwrite the input");
  }

  if (cb.started) cb.started(files.size(), threads);

  std::map<std::string, std::shared_ptr<HandModel>> hands;
  std::vector<nlohmann::json> summaries;
  const auto wall0 = std::chrono::steady_clock::now();
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const auto& [in_file, rel_out] = files[fi];
    const fs::path output = o.out / rel_out;
    fs::path summary_file = output;
    summary_file.replace_extension(".json");  // <name>.eval.json beside <name>.eval.h5
    // Resume: an input whose evaluation finished earlier under the same key is not simulated again.
    const GraspDataset attributes = read_grasp_file_attributes(in_file);
    const std::string hand_name = o.hand.empty() ? attributes.hand : o.hand;
    const fs::path object_path = o.object.empty() ? fs::path(attributes.object_path) : o.object;
    if (!fs::exists(object_path))
      throw Error(in_file.string() + ": object mesh '" + object_path.string() + "' not found (use --object)");
    const std::string object_name = name_objects({object_path}).front().name;
    EvalOptions fe = e;
    if (!o.object_parts.empty()) {
      const fs::path per_object = o.object_parts / object_name;
      fe.scene.object_parts = fs::is_directory(per_object) ? per_object : o.object_parts;
    }
    const nlohmann::json key = eval_resume_key(in_file, hand_name, object_path, fe, o.save_mjcf);
    if (auto done = finished_eval_summary(summary_file, output, key)) {
      summaries.push_back(std::move(*done));
      if (cb.file_done) cb.file_done(summaries.back());
      continue;
    }

    // Inputs: the file, its hand (loaded once per name) and its object.
    const GraspDataset d = read_grasp_file(in_file);
    auto& hand_ptr = hands[hand_name];
    if (!hand_ptr) hand_ptr = std::make_shared<HandModel>(load_hand(hand_name));
    const HandModel& hand = *hand_ptr;
    ObjectLoadOptions lo;
    lo.scale = d.scale;
    lo.surface_samples = 200;
    lo.culling_grid = false;  // the analytic metrics measure exactly; only synthesis culls
    const ObjectModel object = load_object(object_path, lo);

    // Simulation, then the analytic metrics.
    auto progress = [&](int done, int total) {
      if (cb.progress) cb.progress(fi, files.size(), object_name, done, total);
    };
    const auto tb = std::chrono::steady_clock::now();
    const std::shared_ptr<const SimScene> scene = build_sim_scene(hand, object, fe.protocol, fe.scene);
    const double build_s = seconds_since(tb);
    const auto ts = std::chrono::steady_clock::now();
    const std::vector<SimGrasp> grasps = dataset_sim_grasps(hand, d);
    std::vector<GraspEvalResult> results = simulate_grasps(*scene, hand, grasps, fe, progress);
    const double sim_s = seconds_since(ts);
    double metrics_s = 0;
    if (e.analytic_metrics && d.n_grasps() > 0) {
      const auto tm = std::chrono::steady_clock::now();
      add_analytic_metrics(hand, object, d, results, e);
      metrics_s = seconds_since(tm);
    }

    // Outputs, each atomic: the eval file, the scene's MJCF if asked, then the summary that marks the
    // input as done (a run killed in between evaluates it again, to the same bytes).
    EvalFileRecord rec = make_record(hand, d, grasps, *scene, std::move(results));
    rec.input = in_file;
    rec.output = output;
    rec.object_name = object_name;
    rec.object_path = object_path.string();
    rec.build_seconds = build_s;
    rec.simulation_seconds = sim_s;
    rec.metrics_seconds = metrics_s;
    fs::create_directories(rec.output.parent_path(), ec);
    write_eval_file(rec, e);
    if (o.save_mjcf) {
      fs::path xml = rec.output;
      xml.replace_extension("").replace_extension(".xml");
      write_text_atomically(xml, scene->mjcf);
    }
    summaries.push_back(eval_file_summary(rec, e));
    const nlohmann::json record = {{"format", "graspqp-eval-summary"},
                                   {"format_version", 1},
                                   {"job", key},
                                   {"eval_file_sha256", sha256_file(rec.output)},
                                   {"summary", summaries.back()}};
    check_finite_numbers(record, summary_file.string());
    write_text_atomically(summary_file, record.dump(1) + "\n");
    if (cb.file_done) cb.file_done(summaries.back());
  }
  nlohmann::json report = eval_report(summaries, e, seconds_since(wall0), threads);
  check_finite_numbers(report, (o.out / "report.json").string());
  write_text_atomically(o.out / "report.json", report.dump(1) + "\n");
  std::vector<std::string> plots;
  if (o.plots) plots = report_detail::run_plot_script("plot_report.py", o.out, "graspqp eval");
  write_text_atomically(o.out / "report.md", eval_report_markdown(report, plots));
  return report;
}

}  // namespace graspqp
