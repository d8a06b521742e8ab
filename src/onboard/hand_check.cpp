// `graspqp hand check`: the command (raw-file checks, load, model checks) and its report. The checks
// themselves are in check_files.cpp, check_model.cpp and check_mujoco.cpp (rules in
// include/graspqp/onboard/hand_check.hpp and docs/adding_a_hand.md).
#include <graspqp/onboard/hand_check.hpp>

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "internal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

using onboard_detail::check_candidates;
using onboard_detail::check_mujoco;
using onboard_detail::check_patch_offsets;
using onboard_detail::check_raw;
using onboard_detail::check_self_collision;
using onboard_detail::check_spheres;
using onboard_detail::fixed;
using onboard_detail::measure_spread;
using onboard_detail::pct;
using onboard_detail::RawFiles;

void check_hand_model(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  int geometry = 0;
  for (const auto& l : model.links) geometry += l.collision_sdf != nullptr;
  if (geometry == 0) {
    r.add("geometry", CheckLevel::Fail, "no link has collision geometry");
    return;
  }
  check_candidates(model, o, r);
  check_patch_offsets(model, o, r);
  check_spheres(model, o, r);
  check_self_collision(model, o, r);
  measure_spread(model, o, r);
  if (o.mujoco) check_mujoco(model, o, r);
}

HandCheckReport check_hand(const std::string& name_or_path, const HandCheckOptions& o) {
  HandCheckReport r;
  r.hand = name_or_path;
  fs::path dir;
  try {
    dir = resolve_hand_directory(name_or_path);
  } catch (const std::exception& e) {
    r.add("hand.json", CheckLevel::Fail, e.what());
    return r;
  }
  r.directory = dir;
  RawFiles raw;
  check_raw(dir, o, r, raw);
  if (!raw.urdf_ok) return r;
  HandModel model;
  try {
    model = load_hand(dir.string());
  } catch (const std::exception& e) {
    r.add("load", CheckLevel::Fail, e.what());
    return r;
  }
  r.hand = model.name;
  int meshes = 0;
  for (const auto& l : model.links) meshes += l.collision_sdf != nullptr;
  r.add("load", CheckLevel::Pass,
        "URDF and meshes load: " + std::to_string(model.links.size()) + " links (" + std::to_string(meshes) +
            " with geometry), " + std::to_string(model.dof()) + " DOF");
  // Missing visual meshes only matter for drawing: one line for all of them.
  int missing_visuals = 0;
  std::string first_visual;
  for (const auto& w : model.warnings) {
    if (w.find(": visual of link '") != std::string::npos && w.find("not found") != std::string::npos) {
      if (missing_visuals++ == 0) first_visual = w;
      continue;
    }
    r.add("load", CheckLevel::Warn, w);
  }
  if (missing_visuals == 1)
    r.add("load", CheckLevel::Warn, first_visual);
  else if (missing_visuals > 1)
    r.add("load", CheckLevel::Warn,
          std::to_string(missing_visuals) + " visual meshes not found (only used for drawing), e.g. " + first_visual);
  check_hand_model(model, o, r);
  return r;
}

// ---- report ----

bool HandCheckReport::passed() const { return count(CheckLevel::Fail) == 0; }

int HandCheckReport::count(CheckLevel level) const {
  return static_cast<int>(
      std::count_if(items.begin(), items.end(), [&](const CheckItem& i) { return i.level == level; }));
}

std::vector<std::string> HandCheckReport::failures() const {
  std::vector<std::string> out;
  for (const auto& i : items)
    if (i.level == CheckLevel::Fail) out.push_back(i.check + ": " + i.message);
  return out;
}

namespace {
const char* level_name(CheckLevel l) {
  return l == CheckLevel::Pass ? "pass" : l == CheckLevel::Warn ? "warn" : "FAIL";
}
}  // namespace

json HandCheckReport::to_json() const {
  json items_json = json::array();
  for (const auto& i : items)
    items_json.push_back({{"check", i.check},
                          {"level", i.level == CheckLevel::Pass   ? "pass"
                                    : i.level == CheckLevel::Warn ? "warn"
                                                                  : "fail"},
                          {"message", i.message}});
  return {{"hand", hand},
          {"directory", directory.string()},
          {"passed", passed()},
          {"failures", count(CheckLevel::Fail)},
          {"warnings", count(CheckLevel::Warn)},
          {"items", items_json},
          {"measures", measures}};
}

std::string HandCheckReport::to_text(bool verbose) const {
  std::ostringstream s;
  s << "hand " << hand << " (" << directory.string() << "): " << (passed() ? "PASS" : "FAIL") << " ("
    << count(CheckLevel::Fail) << " failures, " << count(CheckLevel::Warn) << " warnings)\n";
  for (const auto& i : items)
    s << "  [" << level_name(i.level) << "] " << std::left << std::setw(15) << i.check << i.message << "\n";
  if (measures.contains("candidate_spread")) {
    s << "  candidate spread (RMS distance to the candidates' centre) over the joint range:\n";
    for (const auto& [t, v] : measures["candidate_spread"].items())
      s << "    " << std::left << std::setw(10) << t << v["candidates"].get<int>() << " candidates on "
        << v["links"].get<int>() << " links: " << fixed(v["spread_default_mm"].get<double>(), 1)
        << " mm at the default pose, " << fixed(v["spread_min_mm"].get<double>(), 1) << "-"
        << fixed(v["spread_max_mm"].get<double>(), 1) << " mm over the range; most opposed normals cos "
        << fixed(v["most_opposed_normals"].get<double>(), 2) << "\n";
  }
  if (verbose && measures.contains("sphere_coverage")) {
    s << "  sphere coverage (within the tolerance):\n";
    for (const auto& [l, v] : measures["sphere_coverage"].items())
      s << "    " << std::left << std::setw(30) << l << v["spheres"].get<int>() << " spheres, "
        << pct(v["coverage"].get<double>()) << "\n";
  }
  return s.str();
}

}  // namespace graspqp
