// Outputs of the physics evaluation: <name>.eval.h5, report.json, report.md.
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/metrics/diversity.hpp>
#include <graspqp/sim/eval_report.hpp>
#include <graspqp/version.hpp>

#include <H5Cpp.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>

namespace graspqp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Debian's libhdf5 is not thread-safe: every HDF5 call of this file runs under this lock.
std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

H5::StrType utf8_string_type() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

void string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const H5::StrType t = utf8_string_type();
  H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
  const char* p = value.c_str();
  a.write(t, &p);
}

void string_array_attribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values) {
  const H5::StrType t = utf8_string_type();
  const hsize_t n = values.size();
  H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(1, &n));
  if (values.empty()) return;
  std::vector<const char*> p;
  for (const auto& v : values) p.push_back(v.c_str());
  a.write(t, p.data());
}

void f64_dataset(H5::H5File& f, const std::string& name, const std::vector<double>& v, hsize_t cols = 0) {
  const hsize_t dims[2] = {cols ? v.size() / cols : v.size(), cols};
  H5::DataSet ds = f.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(cols ? 2 : 1, dims));
  if (!v.empty()) ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
}

void i32_dataset(H5::H5File& f, const std::string& name, const std::vector<int>& v) {
  const hsize_t n = v.size();
  H5::DataSet ds = f.createDataSet(name, H5::PredType::STD_I32LE, H5::DataSpace(1, &n));
  if (!v.empty()) ds.write(v.data(), H5::PredType::NATIVE_INT);
}

double mean(const std::vector<double>& v) {
  std::vector<double> f;
  for (double x : v)
    if (std::isfinite(x)) f.push_back(x);
  return f.empty() ? 0.0 : std::accumulate(f.begin(), f.end(), 0.0) / f.size();
}

std::vector<std::string> test_names(const SimProtocol& p) {
  if (!p.test_names.empty()) return p.test_names;
  std::vector<std::string> n;
  for (size_t i = 0; i < p.tests.size(); ++i) n.push_back("test" + std::to_string(i));
  return n;
}

json options_json(const EvalOptions& o) {
  auto hacd = [](const HacdOptions& h) {
    return json{{"concavity", h.concavity},
                {"min_clusters", h.min_clusters},
                {"max_vertices_per_hull", h.max_vertices_per_hull},
                {"compacity_weight", h.compacity_weight},
                {"volume_weight", h.volume_weight},
                {"connect_distance", h.connect_distance},
                {"add_extra_dist_points", h.add_extra_dist_points},
                {"add_faces_points", h.add_faces_points},
                {"target_faces", h.target_faces}};
  };
  return {{"trials", o.trials},
          {"perturb_translation", o.perturb_translation},
          {"perturb_rotation_deg", o.perturb_rotation_deg},
          {"seed", o.seed},
          {"object_hacd", hacd(o.scene.object_hacd)},
          {"hand_hacd", hacd(o.scene.hand_hacd)},
          {"hand_concavity_threshold", o.scene.hand_concavity_threshold},
          {"object_parts", o.scene.object_parts.string()},
          {"analytic_metrics", o.analytic_metrics},
          {"metrics", {{"contact_threshold", o.metrics.contact_threshold},
                       {"q1_friction", o.metrics.q1.friction},
                       {"dense_samples", o.metrics.dense_samples}}}};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string pct(const json& v) { return v.is_number() ? fmt("%.1f%%", 100 * v.get<double>()) : "–"; }
std::string fix(const json& v, const char* f = "%.2f") { return v.is_number() ? fmt(f, v.get<double>()) : "–"; }

}  // namespace

void write_eval_file(const EvalFileRecord& r, const EvalOptions& options) {
  const size_t n = r.results.size();
  const auto names = test_names(options.protocol);
  std::vector<int> success, any, all, ok_any, ok_all, prefiltered, contacts, warnings;
  std::vector<double> tests, trans, rot, settle, init_pen, pen, cd_mean, cd_max, spen, q1;
  std::vector<std::string> errors;
  for (const auto& g : r.results) {
    success.push_back(g.success);
    any.push_back(g.success_any);
    all.push_back(g.success_all);
    ok_any.push_back(g.trials_ok_any);
    ok_all.push_back(g.trials_ok_all);
    prefiltered.push_back(g.prefiltered);
    contacts.push_back(g.settle_contacts);
    warnings.push_back(g.warnings);
    for (size_t t = 0; t < names.size(); ++t) tests.push_back(t < g.test_success.size() ? g.test_success[t] : 0.0);
    trans.push_back(g.max_translation);
    rot.push_back(g.max_rotation_deg);
    settle.push_back(g.settle_translation);
    init_pen.push_back(g.initial_penetration);
    pen.push_back(g.penetration_depth);
    cd_mean.push_back(g.contact_distance_mean);
    cd_max.push_back(g.contact_distance_max);
    spen.push_back(g.self_penetration);
    q1.push_back(g.q1);
    errors.push_back(g.error);
  }
  const json protocol = protocol_to_json(options.protocol);
  const json opts = options_json(options);
  write_file_atomically(r.output, [&](const fs::path& tmp) {
    std::lock_guard<std::mutex> lock(hdf5_mutex());
    try {
      H5::Exception::dontPrint();
      H5::H5File f(tmp.string(), H5F_ACC_TRUNC);
      string_attribute(f, "format", "graspqp-eval");
      {
        const int32_t version = 1;
        H5::Attribute a = f.createAttribute("format_version", H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR));
        a.write(H5::PredType::NATIVE_INT32, &version);
      }
      string_attribute(f, "source_file", r.input.string());
      string_attribute(f, "hand", r.hand);
      string_attribute(f, "grasp_type", r.grasp_type);
      string_attribute(f, "energy", r.energy);
      string_attribute(f, "object_path", r.object_path);
      string_attribute(f, "object_sha256", r.object_sha256);
      string_attribute(f, "protocol", protocol.dump());
      string_attribute(f, "options", opts.dump());
      string_attribute(f, "program_version", kVersion);
      i32_dataset(f, "success", success);
      i32_dataset(f, "success_any", any);
      i32_dataset(f, "success_all", all);
      i32_dataset(f, "trials_ok_any", ok_any);
      i32_dataset(f, "trials_ok_all", ok_all);
      i32_dataset(f, "prefiltered", prefiltered);
      i32_dataset(f, "settle_contacts", contacts);
      i32_dataset(f, "warnings", warnings);
      f64_dataset(f, "test_success", tests, names.size());
      {
        H5::DataSet ds = f.openDataSet("test_success");
        string_array_attribute(ds, "names", names);
      }
      f64_dataset(f, "max_translation", trans);
      f64_dataset(f, "max_rotation_deg", rot);
      f64_dataset(f, "settle_translation", settle);
      f64_dataset(f, "initial_penetration", init_pen);
      f64_dataset(f, "penetration_depth", pen);
      f64_dataset(f, "contact_distance_mean", cd_mean);
      f64_dataset(f, "contact_distance_max", cd_max);
      f64_dataset(f, "self_penetration", spen);
      f64_dataset(f, "q1", q1);
      std::vector<double> rp(r.root_pose.rows() * 7), jt(r.joints.rows() * r.joints.cols());
      for (int i = 0; i < r.root_pose.rows(); ++i)
        for (int k = 0; k < 7; ++k) rp[i * 7 + k] = r.root_pose(i, k);
      for (int i = 0; i < r.joints.rows(); ++i)
        for (int k = 0; k < r.joints.cols(); ++k) jt[i * r.joints.cols() + k] = r.joints(i, k);
      f64_dataset(f, "root_pose", rp, 7);
      f64_dataset(f, "joints", jt, std::max<hsize_t>(1, r.joints.cols()));
      {
        H5::DataSet ds = f.openDataSet("joints");
        string_array_attribute(ds, "joint_names", r.joint_names);
        std::vector<double> lim;
        for (int k = 0; k < r.lower.size(); ++k) lim.push_back(r.lower[k]);
        for (int k = 0; k < r.upper.size(); ++k) lim.push_back(r.upper[k]);
        const hsize_t dims[2] = {2, static_cast<hsize_t>(r.lower.size())};
        H5::Attribute a = ds.createAttribute("limits", H5::PredType::IEEE_F64LE, H5::DataSpace(2, dims));
        if (!lim.empty()) a.write(H5::PredType::NATIVE_DOUBLE, lim.data());
      }
      {
        const H5::StrType t = utf8_string_type();
        const hsize_t dn = n;
        H5::DataSet ds = f.createDataSet("error", t, H5::DataSpace(1, &dn));
        if (n) {
          std::vector<const char*> p;
          for (const auto& e : errors) p.push_back(e.c_str());
          ds.write(p.data(), t);
        }
      }
    } catch (const H5::Exception& e) {
      throw Error(r.output.string() + ": HDF5 error while writing (" + e.getDetailMsg() + ")");
    }
  });
}

std::vector<int> read_eval_success(const fs::path& path) {
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  try {
    H5::Exception::dontPrint();
    H5::H5File f(path.string(), H5F_ACC_RDONLY);
    H5::DataSet ds = f.openDataSet("success");
    hsize_t n = 0;
    ds.getSpace().getSimpleExtentDims(&n);
    std::vector<int> v(n);
    if (n) ds.read(v.data(), H5::PredType::NATIVE_INT);
    return v;
  } catch (const H5::Exception& e) {
    throw Error(path.string() + ": cannot read eval file (" + e.getDetailMsg() + ")");
  }
}

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
    const bool good = std::isfinite(g.q1) && g.q1 > 0 && std::isfinite(g.penetration_depth) && g.penetration_depth < 0.002;
    (good ? good_n : other_n) += 1;
    (good ? good_succ : other_succ) += g.success;
  }
  const auto names = test_names(options.protocol);
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
          {"scene", {{"object_mass", r.object_mass},
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
    const std::vector<std::string> keys = {"success_rate", "success_rate_any", "success_rate_all",
                                           "penetration_depth_mm_mean", "initial_penetration_mm_mean",
                                           "contact_distance_mm_mean", "q1_positive_fraction", "joint_entropy"};
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
    groups[{f["hand"].get<std::string>(), f["grasp_type"].get<std::string>(), f["energy"].get<std::string>()}].push_back(&f);
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
          {"options", options_json(options)},
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
    << (p["disturbance"] == "force" ? "N" : "m/s² × object mass") << "), " << p["tests"].size()
    << " test(s), pull " << fix(p["pull_duration"]) << " s, settle " << fix(p["settle_time"]) << " s\n";
  s << "- object: " << (p["object_mass"].get<double>() > 0 ? fix(p["object_mass"], "%.3f") + " kg"
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
