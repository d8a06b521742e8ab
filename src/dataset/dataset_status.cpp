#include <graspqp/dataset/dataset_status.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/json_file.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

json read_unit_record(const fs::path& dir, const DatasetUnit& unit) {
  const fs::path path = unit_record_path(dir, unit);
  if (!fs::exists(path)) return json();
  try {
    return read_json_file(path);
  } catch (const Error&) {
    return json();  // records are written atomically; an unreadable one counts as missing
  }
}

json dataset_status(const fs::path& dir) {
  const DatasetPlan plan = read_manifest(dir);
  struct Group {
    int units = 0, done = 0;
    long grasps = 0, valid = 0, validated = 0;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  int done = 0, failed = 0;
  long grasps = 0, valid = 0, validated = 0;
  double done_cost = 0, remaining_cost = 0, peak_memory = 0, busy_seconds = 0;
  double first = std::numeric_limits<double>::infinity(), last = -first;
  json failures = json::array();
  for (const DatasetUnit& u : plan.units) {
    Group& g = groups[{u.hand, u.grasp_type}];
    ++g.units;
    if (!fs::exists(dir / u.file())) {
      remaining_cost += u.cost;
      const fs::path failure = unit_record_path(dir, u, true);
      if (fs::exists(failure)) {
        ++failed;
        std::string error;
        try {
          error = read_json_file(failure).value("error", "");
        } catch (const Error& e) {
          error = e.what();
        }
        failures.push_back({{"id", u.id}, {"error", error}});
      }
      continue;
    }
    ++done, ++g.done;
    done_cost += u.cost;
    const json r = read_unit_record(dir, u);
    if (r.is_null()) continue;
    const long n = r.value("grasps", 0L), v = r.value("valid", -1L);
    grasps += n, g.grasps += n;
    if (v >= 0) valid += v, g.valid += v, validated += n, g.validated += n;
    peak_memory = std::max(peak_memory, r.value("peak_memory_mb", 0.0));
    const double finished = r.value("finished_unix", 0.0);
    const double seconds = r["seconds"].is_number() ? r["seconds"].get<double>() : 0.0;
    busy_seconds += seconds;
    first = std::min(first, finished - seconds);
    last = std::max(last, finished);
  }
  auto rate = [](long num, long den) { return den > 0 ? json(static_cast<double>(num) / den) : json(); };
  json out;
  out["dataset"] = dir.string();
  out["units"] = plan.units.size();
  out["done"] = done;
  out["remaining"] = static_cast<int>(plan.units.size()) - done;
  out["failed"] = failed;
  out["failures"] = failures;
  out["grasps"] = grasps;
  out["valid"] = valid;
  out["validated_grasps"] = validated;
  out["success_rate"] = rate(valid, validated);
  out["groups"] = json::array();
  for (const auto& [key, g] : groups)
    out["groups"].push_back({{"hand", key.first},
                             {"grasp_type", key.second},
                             {"units", g.units},
                             {"done", g.done},
                             {"grasps", g.grasps},
                             {"valid", g.valid},
                             {"validated_grasps", g.validated},
                             {"success_rate", rate(g.valid, g.validated)}});
  // Throughput over the wall-clock span of the finished units (all processes together); the ETA assumes
  // the remaining units run at the same rate, weighted by their cost estimates.
  const double span = last > first ? last - first : 0.0;
  out["elapsed_seconds"] = span > 0 ? json(span) : json();
  out["unit_seconds"] = busy_seconds;
  out["grasps_per_second"] = span > 0 ? json(grasps / span) : json();
  out["units_per_hour"] = span > 0 ? json(3600.0 * done / span) : json();
  out["eta_seconds"] = done == static_cast<int>(plan.units.size()) ? json(0.0)
                       : span > 0 && done_cost > 0                 ? json(remaining_cost * span / done_cost)
                                                                   : json();
  out["peak_memory_mb"] = peak_memory;
  out["complete"] = done == static_cast<int>(plan.units.size());
  return out;
}

}  // namespace graspqp
