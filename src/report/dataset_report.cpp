#include <graspqp/dataset/dataset_status.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/metrics/statistics.hpp>
#include <graspqp/report/dataset_report.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "plot_script.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

struct GroupStats {
  int files = 0;
  long grasps = 0, valid = 0, validated = 0;
  std::vector<double> penetration, penetration_max, contact_distance, entropy;
};

json group_json(const GroupStats& g) {
  json j = {{"files", g.files}, {"grasps", g.grasps}, {"valid", g.valid}, {"validated_grasps", g.validated}};
  if (g.validated > 0) {
    const auto [lo, hi] = wilson_interval(g.valid, g.validated);
    j["success_rate"] = static_cast<double>(g.valid) / g.validated;
    j["success_ci95"] = {lo, hi};
  } else {
    j["success_rate"] = nullptr;
  }
  j["penetration_depth_median"] = median(g.penetration);  // median over files of each file's median [m]
  j["penetration_depth_max"] =
      g.penetration_max.empty() ? 0.0 : *std::max_element(g.penetration_max.begin(), g.penetration_max.end());
  j["contact_distance_mean"] = mean(g.contact_distance);
  j["joint_entropy_mean"] = mean(g.entropy);
  j["unit_penetration_medians"] = g.penetration;  // for the plots
  return j;
}

void add(GroupStats& g, long grasps, long valid, const json& quality) {
  ++g.files;
  g.grasps += grasps;
  if (valid >= 0) g.valid += valid, g.validated += grasps;
  if (quality.is_object()) {
    g.penetration.push_back(quality.value("penetration_depth_median", 0.0));
    g.penetration_max.push_back(quality.value("penetration_depth_max", 0.0));
    g.contact_distance.push_back(quality.value("contact_distance_mean", 0.0));
    g.entropy.push_back(quality.value("joint_entropy", 0.0));
  }
}

std::string markdown(const json& r, const std::vector<std::string>& plots) {
  std::ostringstream s;
  s << "# Dataset report\n\n"
    << r["dataset"].get<std::string>() << ": " << r["files"] << " of " << r["units"] << " units finished, "
    << r["grasps"] << " grasps, " << r["valid"] << " valid of " << r["validated_grasps"] << " validated.\n\n";
  s << "| hand | grasp type | files | grasps | success (95 % CI) | penetration median [mm] | max [mm] | contact "
       "distance [mm] | "
       "joint entropy |\n|---|---|---:|---:|---|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& hand, const std::string& type, const json& g) {
    char buf[512];
    std::string success = "-";
    if (g["success_rate"].is_number()) {
      std::snprintf(buf, sizeof buf, "%.1f %% (%.1f–%.1f)", 100 * g["success_rate"].get<double>(),
                    100 * g["success_ci95"][0].get<double>(), 100 * g["success_ci95"][1].get<double>());
      success = buf;
    }
    std::snprintf(buf, sizeof buf, "| %s | %s | %d | %ld | %s | %.2f | %.2f | %.2f | %.3f |\n", hand.c_str(),
                  type.c_str(), g["files"].get<int>(), g["grasps"].get<long>(), success.c_str(),
                  1e3 * g["penetration_depth_median"].get<double>(), 1e3 * g["penetration_depth_max"].get<double>(),
                  1e3 * g["contact_distance_mean"].get<double>(), g["joint_entropy_mean"].get<double>());
    s << buf;
  };
  for (const auto& g : r["groups"]) row(g["hand"], g["grasp_type"], g);
  row("**all**", "", r["overall"]);
  s << "\nPenetration: the deepest point of each grasp (object samples in the hand and hand vertices in the "
       "object), median over a file's grasps, then over files. Joint entropy: GraspQP's H, mean over files. "
       "`index.csv` lists every file with its SHA-256.\n\n";
  for (const auto& p : plots) s << "![" << p << "](" << p << ")\n\n";
  return s.str();
}

}  // namespace

std::pair<double, double> wilson_interval(long k, long n) {
  if (n <= 0) return {0.0, 1.0};
  const double z = 1.959963984540054, p = static_cast<double>(k) / n, z2n = z * z / n;
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

json write_dataset_report(const fs::path& dir, bool plots) {
  const DatasetPlan plan = read_manifest(dir);
  std::map<std::pair<std::string, std::string>, GroupStats> groups;
  GroupStats overall;
  std::ostringstream index;
  index << "file,hand,grasp_type,object,scale,grasps,valid,sha256\n";
  for (const DatasetUnit& u : plan.units) {
    const fs::path file = dir / u.file();
    if (!fs::exists(file)) continue;
    json r = read_unit_record(dir, u);
    long grasps, valid = -1;
    std::string sha;
    if (r.is_object()) {
      grasps = r.value("grasps", 0L);
      valid = r.value("valid", -1L);
      sha = r.value("sha256", "");
    } else {  // a file without its record (killed in between): read what the index needs from the file
      const GraspDataset d = read_grasp_file(file);
      grasps = d.n_grasps();
      if (auto it = d.extra.find("valid"); it != d.extra.end()) valid = static_cast<long>(it->second.sum());
      sha = sha256_file(file);
    }
    const json quality = r.is_object() ? r.value("quality", json()) : json();
    add(groups[{u.hand, u.grasp_type}], grasps, valid, quality);
    add(overall, grasps, valid, quality);
    index << u.file().string() << ',' << u.hand << ',' << u.grasp_type << ',' << u.object << ',' << json(u.scale).dump()
          << ',' << grasps << ',' << valid << ',' << sha << '\n';
  }
  json report = {{"format", "graspqp-dataset-report"},
                 {"dataset", dir.string()},
                 {"units", plan.units.size()},
                 {"files", overall.files},
                 {"grasps", overall.grasps},
                 {"valid", overall.valid},
                 {"validated_grasps", overall.validated}};
  report["groups"] = json::array();
  for (const auto& [key, g] : groups) {
    json j = group_json(g);
    j["hand"] = key.first;
    j["grasp_type"] = key.second;
    report["groups"].push_back(j);
  }
  report["overall"] = group_json(overall);
  write_text_atomically(dir / "index.csv", index.str());
  write_text_atomically(dir / "report.json", report.dump(2) + "\n");
  const std::vector<std::string> files =
      plots ? report_detail::run_plot_script("plot_dataset.py", dir, "graspqp dataset report")
            : std::vector<std::string>{};
  write_text_atomically(dir / "report.md", markdown(report, files));
  return report;
}

}  // namespace graspqp
