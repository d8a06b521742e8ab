// The reports of the physics evaluation: per-file summaries, report.json, report.md.
#include <graspqp/error.hpp>
#include <graspqp/metrics/diversity.hpp>
#include <graspqp/report/eval_report.hpp>
#include <graspqp/version.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>

namespace graspqp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double mean(const std::vector<double>& v) {
  std::vector<double> f;
  for (double x : v)
    if (std::isfinite(x)) f.push_back(x);
  return f.empty() ? 0.0 : std::accumulate(f.begin(), f.end(), 0.0) / f.size();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string pct(const json& v) { return v.is_number() ? fmt("%.1f%%", 100 * v.get<double>()) : "–"; }
std::string fix(const json& v, const char* f = "%.2f") { return v.is_number() ? fmt(f, v.get<double>()) : "–"; }

}  // namespace

json eval_file_summary(const EvalFileRecord& r, const EvalOptions& options) {
  const auto& res = r.results;
  const int n = static_cast<int>(res.size());
  const double nn = std::max(1, n);
  int succ = 0, any = 0, all = 0, errors = 0, warnings = 0, prefiltered = 0, q1pos = 0;
  std::vector<double> pen, pen_succ, init_pen, cd, spen, q1, trans, settle;
  int good_n = 0, good_succ = 0, other_n = 0, other_succ = 0;
  std::vector<int> success_rows;
  for (int i = 0; i < n; ++i) {
    const auto& g = res[i];
    succ += g.success;
    any += g.success_any;
    all += g.success_all;
    errors += !g.error.empty();
    warnings += g.warnings;
    prefiltered += g.prefiltered;
    if (g.success) success_rows.push_back(i);
    pen.push_back(1e3 * g.penetration_depth);
    if (g.success) pen_succ.push_back(1e3 * g.penetration_depth);
    init_pen.push_back(1e3 * g.initial_penetration);
    cd.push_back(1e3 * g.contact_distance_mean);
    spen.push_back(1e3 * g.self_penetration);
    q1.push_back(g.q1);
    trans.push_back(1e3 * g.max_translation);
    settle.push_back(1e3 * g.settle_translation);
    q1pos += std::isfinite(g.q1) && g.q1 > 0;
    // Analytic agreement: Q1 > 0 and penetration below 2 mm vs the rest.
    const bool good =
        std::isfinite(g.q1) && g.q1 > 0 && std::isfinite(g.penetration_depth) && g.penetration_depth < 0.002;
    (good ? good_n : other_n) += 1;
    (good ? good_succ : other_succ) += g.success;
  }
  const auto names = protocol_test_names(options.protocol);
  json tests = json::object();
  for (size_t t = 0; t < names.size(); ++t) {
    double s = 0;
    for (const auto& g : res) s += t < g.test_success.size() ? g.test_success[t] : 0.0;
    tests[names[t]] = s / nn;
  }
  // Diversity over successful grasps (H, UGR) and over all grasps (PCA, as DexGraspBench).
  Eigen::MatrixXd sp(success_rows.size(), 7), sj(success_rows.size(), r.joints.cols());
  for (size_t k = 0; k < success_rows.size(); ++k) {
    sp.row(k) = r.root_pose.row(success_rows[k]);
    sj.row(k) = r.joints.row(success_rows[k]);
  }
  json unique = json::object();
  for (const auto& level : reference_unique_levels()) {
    const int u = count_unique_grasps(sp, sj, level, UniqueMode::Correct);
    const int ur = count_unique_grasps(sp, sj, level, UniqueMode::Reference);
    const int ua = count_unique_grasps(r.root_pose, r.joints, level, UniqueMode::Correct);
    unique[level.name] = {{"unique_success", u},
                          {"ugr", u / nn},
                          {"unique_success_reference", ur},
                          {"ugr_reference", ur / nn},
                          {"unique_all", ua}};
  }
  const auto pca_all = pca_explained_variance(pca_features(r.root_pose, r.joints), 5);
  const auto pca_succ = pca_explained_variance(pca_features(sp, sj), 5);
  const double sim_s = r.simulation_seconds;
  return {{"file", r.input.string()},
          {"eval_file", r.output.string()},
          {"object", r.object_name},
          {"object_path", r.object_path},
          {"hand", r.hand},
          {"grasp_type", r.grasp_type},
          {"energy", r.energy},
          {"grasps", n},
          {"successes", succ},
          {"success_rate", succ / nn},
          {"success_rate_any", any / nn},
          {"success_rate_all", all / nn},
          {"test_success_rate", tests},
          {"prefiltered", prefiltered},
          {"errors", errors},
          {"warnings", warnings},
          {"penetration_depth_mm_mean", mean(pen)},
          {"penetration_depth_mm_mean_success", pen_succ.empty() ? json(nullptr) : json(mean(pen_succ))},
          {"initial_penetration_mm_mean", mean(init_pen)},
          {"contact_distance_mm_mean", mean(cd)},
          {"self_penetration_mm_mean", mean(spen)},
          {"q1_mean", mean(q1)},
          {"q1_positive_fraction", q1pos / nn},
          {"success_rate_q1_positive_low_penetration", good_n ? json(good_succ / double(good_n)) : json(nullptr)},
          {"grasps_q1_positive_low_penetration", good_n},
          {"success_rate_other", other_n ? json(other_succ / double(other_n)) : json(nullptr)},
          {"max_translation_mm_mean", mean(trans)},
          {"settle_translation_mm_mean", mean(settle)},
          {"joint_entropy", joint_entropy(sj, r.lower, r.upper, 32)},
          {"joint_entropy_all", joint_entropy(r.joints, r.lower, r.upper, 32)},
          {"unique", unique},
          {"pca_explained_variance", pca_all},
          {"pca_explained_variance_success", pca_succ},
          {"scene",
           {{"object_mass", r.object_mass},
            {"object_parts", r.object_parts},
            {"object_parts_source", r.object_parts_source},
            {"hand_parts", r.hand_parts},
            {"decomposition_seconds", r.decomposition_seconds},
            {"build_seconds", r.build_seconds}}},
          {"simulation_seconds", sim_s},
          {"metrics_seconds", r.metrics_seconds},
          {"grasps_per_second", sim_s > 0 ? json(n / sim_s) : json(nullptr)}};
}

json eval_report(const std::vector<json>& files, const EvalOptions& options, double wall_seconds, int threads) {
  // Means over files (= objects) of the main figures, overall and per (hand, grasp type, energy).
  auto aggregate = [&](const std::vector<const json*>& fs_) {
    json out;
    const std::vector<std::string> keys = {"success_rate",
                                           "success_rate_any",
                                           "success_rate_all",
                                           "penetration_depth_mm_mean",
                                           "initial_penetration_mm_mean",
                                           "contact_distance_mm_mean",
                                           "q1_positive_fraction",
                                           "joint_entropy"};
    int grasps = 0, successes = 0;
    double sim_s = 0;
    for (const auto* f : fs_) {
      grasps += (*f)["grasps"].get<int>();
      successes += (*f)["successes"].get<int>();
      sim_s += (*f)["simulation_seconds"].get<double>();
    }
    out["objects"] = fs_.size();
    out["grasps"] = grasps;
    out["successes"] = successes;
    out["success_rate_pooled"] = grasps ? successes / double(grasps) : 0.0;
    for (const auto& k : keys) {
      std::vector<double> v;
      for (const auto* f : fs_)
        if ((*f)[k].is_number()) v.push_back((*f)[k].get<double>());
      out[k] = mean(v);
    }
    json unique = json::object();
    for (const auto& level : reference_unique_levels()) {
      std::vector<double> u, ur;
      for (const auto* f : fs_) {
        u.push_back((*f)["unique"][level.name]["ugr"].get<double>());
        ur.push_back((*f)["unique"][level.name]["ugr_reference"].get<double>());
      }
      unique[level.name] = {{"ugr", mean(u)}, {"ugr_reference", mean(ur)}};
    }
    out["unique"] = unique;
    {
      std::vector<double> a, b;
      for (const auto* f : fs_) {
        const auto& s = (*f)["success_rate_q1_positive_low_penetration"];
        const auto& o = (*f)["success_rate_other"];
        if (s.is_number()) a.push_back(s.get<double>());
        if (o.is_number()) b.push_back(o.get<double>());
      }
      out["success_rate_q1_positive_low_penetration"] = a.empty() ? json(nullptr) : json(mean(a));
      out["success_rate_other"] = b.empty() ? json(nullptr) : json(mean(b));
    }
    out["simulation_seconds"] = sim_s;
    return out;
  };
  std::vector<const json*> all;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const json*>> groups;
  for (const auto& f : files) {
    all.push_back(&f);
    groups[{f["hand"].get<std::string>(), f["grasp_type"].get<std::string>(), f["energy"].get<std::string>()}]
        .push_back(&f);
  }
  json g = json::array();
  for (const auto& [key, list] : groups) {
    json a = aggregate(list);
    a["hand"] = std::get<0>(key);
    a["grasp_type"] = std::get<1>(key);
    a["energy"] = std::get<2>(key);
    g.push_back(a);
  }
  json overall = aggregate(all);
  int grasps = overall["grasps"].get<int>();
  overall["wall_seconds"] = wall_seconds;
  overall["threads"] = threads;
  overall["grasps_per_second"] =
      overall["simulation_seconds"].get<double>() > 0 ? grasps / overall["simulation_seconds"].get<double>() : 0.0;
  return {{"format", "graspqp-eval-report"},
          {"format_version", 1},
          {"program_version", kVersion},
          {"protocol", protocol_to_json(options.protocol)},
          {"options", eval_options_json(options)},
          {"success_rate", overall["success_rate"]},
          {"files", files},
          {"groups", g},
          {"overall", overall}};
}

std::string eval_report_markdown(const json& rep, const std::vector<std::string>& plots) {
  std::ostringstream s;
  const json& p = rep["protocol"];
  const json& o = rep["overall"];
  s << "# graspqp physics evaluation\n\n";
  s << "Protocol **" << p["name"].get<std::string>() << "** (MuJoCo 2.2.2; every constant is in `report.json` → "
    << "`protocol`; definitions in docs/evaluation.md). Trial rule: **" << p["trial_rule"].get<std::string>()
    << "**; trials per grasp: " << rep["options"]["trials"] << ".\n\n";
  s << "- disturbance: " << p["disturbance"].get<std::string>() << " " << p["magnitude"] << " ("
    << (p["disturbance"] == "force" ? "N" : "m/s² × object mass") << "), " << p["tests"].size() << " test(s), pull "
    << fix(p["pull_duration"]) << " s, settle " << fix(p["settle_time"]) << " s\n";
  s << "- object: "
    << (p["object_mass"].get<double>() > 0 ? fix(p["object_mass"], "%.3f") + " kg"
                                           : fix(p["object_density"], "%.0f") + " kg/m³")
    << ", friction " << p["friction"] << " (torsional " << p["torsional_friction"] << "), gravity " << p["gravity"]
    << " m/s²\n";
  s << "- success: displacement ≤ "
    << (p["max_translation"].get<double>() > 0 ? fix(p["max_translation"], "%.3f") + " m" : std::string("(off)"))
    << ", rotation ≤ "
    << (p["max_rotation_deg"].get<double>() > 0 ? fix(p["max_rotation_deg"], "%.1f") + "°" : std::string("(off)"))
    << (p["require_contact"].get<bool>() ? ", hand–object contact at the end" : "") << "\n\n";

  s << "## Overall (means over objects)\n\n";
  s << "| hand | grasp type | energy | objects | grasps | success | any phase | all phases | pen. mm | Q1>0 | H | "
       "UGR 2cm/5°/0.2rad | UGR (ref. mode) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& g : rep["groups"]) {
    s << "| " << g["hand"].get<std::string>() << " | " << g["grasp_type"].get<std::string>() << " | "
      << g["energy"].get<std::string>() << " | " << g["objects"] << " | " << g["grasps"] << " | "
      << pct(g["success_rate"]) << " | " << pct(g["success_rate_any"]) << " | " << pct(g["success_rate_all"]) << " | "
      << fix(g["penetration_depth_mm_mean"]) << " | " << pct(g["q1_positive_fraction"]) << " | "
      << fix(g["joint_entropy"]) << " | " << pct(g["unique"]["2cm_5deg_0.2rad"]["ugr"]) << " | "
      << pct(g["unique"]["2cm_5deg_0.2rad"]["ugr_reference"]) << " |\n";
  }
  s << "\nAll files: " << o["grasps"] << " grasps, success " << pct(o["success_rate"]) << " (pooled "
    << pct(o["success_rate_pooled"]) << "), " << fix(o["grasps_per_second"], "%.2f") << " grasps/s with "
    << o["threads"] << " thread(s), " << fix(o["wall_seconds"], "%.1f") << " s wall.\n\n";
  s << "Analytic agreement: success " << pct(o["success_rate_q1_positive_low_penetration"])
    << " for grasps with Q1 > 0 and penetration < 2 mm, " << pct(o["success_rate_other"]) << " for the others.\n\n";

  s << "## Per object\n\n";
  s << "| object | hand | energy | grasps | success | any | all | per test | pen. mm (all / succ.) | sim pen. mm | "
       "contact mm | Q1>0 | H | UGR 20cm / 2cm / 1cm | UGR ref. 2cm | PCA-1 |\n"
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& f : rep["files"]) {
    std::string per_test;
    for (auto it = f["test_success_rate"].begin(); it != f["test_success_rate"].end(); ++it)
      per_test += (per_test.empty() ? "" : " ") + it.key() + ":" + fmt("%.0f%%", 100 * it.value().get<double>());
    const auto& u = f["unique"];
    s << "| " << f["object"].get<std::string>() << " | " << f["hand"].get<std::string>() << " | "
      << f["energy"].get<std::string>() << " | " << f["grasps"] << " | " << pct(f["success_rate"]) << " | "
      << pct(f["success_rate_any"]) << " | " << pct(f["success_rate_all"]) << " | " << per_test << " | "
      << fix(f["penetration_depth_mm_mean"]) << " / " << fix(f["penetration_depth_mm_mean_success"]) << " | "
      << fix(f["initial_penetration_mm_mean"]) << " | " << fix(f["contact_distance_mm_mean"]) << " | "
      << pct(f["q1_positive_fraction"]) << " | " << fix(f["joint_entropy"]) << " | "
      << pct(u["20cm_45deg_0.5rad"]["ugr"]) << " / " << pct(u["2cm_5deg_0.2rad"]["ugr"]) << " / "
      << pct(u["1cm_2.5deg_0.1rad"]["ugr"]) << " | " << pct(u["2cm_5deg_0.2rad"]["ugr_reference"]) << " | "
      << fix(f["pca_explained_variance"][0], "%.3f") << " |\n";
  }
  s << "\nH: joint entropy (32 bins on the joint range, natural log, successful grasps; at most ln 32 = 3.47). "
       "UGR: unique successful grasps / grasps. PCA-1: explained-variance ratio of the first principal component "
       "(lower = more diverse). Penetration: analytic max depth (mm, both ways); sim pen.: deepest MuJoCo "
       "contact with the convex parts at the grasp pose.\n";
  int errors = 0;
  for (const auto& f : rep["files"]) errors += f["errors"].get<int>();
  if (errors) s << "\n**" << errors << " grasp(s) had simulation errors** (see `error` in the .eval.h5 files).\n";
  if (!plots.empty()) {
    s << "\n## Plots\n\n";
    for (const auto& pl : plots) s << "![" << pl << "](" << pl << ")\n\n";
  }
  return s.str();
}

}  // namespace graspqp
