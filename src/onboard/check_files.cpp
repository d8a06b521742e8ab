// `graspqp hand check` on the raw files, before loading: hand.json, the URDF, joint limits and the
// self-collision sphere file (the loader only warns about some of these).
#include <set>
#include <string>

#include "hand/urdf.hpp"
#include "internal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp::onboard_detail {

// Stops at the first file that does not parse: later checks need it.
void check_raw(const fs::path& dir, const HandCheckOptions&, HandCheckReport& r, RawFiles& raw) {
  std::string err;
  if (!try_read_json_file(dir / "hand.json", raw.config, err)) {
    r.add("hand.json", CheckLevel::Fail, err);
    return;
  }
  if (!raw.config.is_object() || !raw.config.contains("urdf") || !raw.config["urdf"].is_string()) {
    r.add("hand.json", CheckLevel::Fail, (dir / "hand.json").string() + ": 'urdf' (the URDF file name) is missing");
    return;
  }
  raw.urdf_path = dir / raw.config["urdf"].get<std::string>();
  urdf::Robot robot;
  try {
    robot = urdf::parse_file(raw.urdf_path);
  } catch (const std::exception& e) {
    r.add("urdf", CheckLevel::Fail, e.what());
    return;
  }
  raw.urdf_ok = true;
  const bool visual_as_collision = raw.config.value("visual_as_collision", true);
  for (const auto& l : robot.links) {
    raw.links.insert(l.name);
    if (!l.collisions.empty() || (visual_as_collision && !l.visuals.empty())) raw.geometry_links.insert(l.name);
  }

  // Joint limits.
  std::set<std::string> coupled;
  if (raw.config.contains("couplings") && raw.config["couplings"].is_array())
    for (const auto& c : raw.config["couplings"])
      if (c.is_object() && c.contains("joint") && c["joint"].is_string()) coupled.insert(c["joint"].get<std::string>());
  int actuated = 0, bad = 0;
  for (const auto& j : robot.joints) {
    if (j.type == "fixed") continue;
    const bool follower = j.mimic.has_value() || coupled.count(j.name);
    if (!follower) ++actuated;
    if (j.has_limits && j.lower > j.upper) {
      r.add("joint_limits", CheckLevel::Fail,
            "joint '" + j.name + "': lower limit " + fixed(j.lower, 4) + " is above upper limit " + fixed(j.upper, 4));
      ++bad;
    } else if (!j.has_limits && j.type != "continuous" && !follower) {
      r.add("joint_limits", CheckLevel::Fail, "joint '" + j.name + "' (" + j.type + ") has no <limit lower/upper>");
      ++bad;
    } else if (j.has_limits && j.lower == j.upper && !follower) {
      r.add("joint_limits", CheckLevel::Warn, "joint '" + j.name + "' has equal limits (locked)");
    } else if (j.type == "continuous" && !follower) {
      r.add("joint_limits", CheckLevel::Warn, "joint '" + j.name + "' is continuous (range taken as [-pi, pi])");
    }
  }
  if (bad == 0)
    r.add("joint_limits", CheckLevel::Pass, std::to_string(actuated) + " actuated joints with lower <= upper limits");

  // Self-collision spheres, raw (the loader only warns about unknown links).
  const fs::path spheres_path = dir / raw.config.value("penetration_points", std::string("penetration_points.json"));
  if (fs::exists(spheres_path)) {
    json spheres;
    if (!try_read_json_file(spheres_path, spheres, err)) {
      r.add("spheres", CheckLevel::Fail, err);
    } else if (!spheres.is_object()) {
      r.add("spheres", CheckLevel::Fail, spheres_path.string() + ": expected an object {link: [[x, y, z, r], ...]}");
    } else {
      const std::string f = spheres_path.filename().string();
      for (const auto& [ln, list] : spheres.items()) {
        const bool empty = list.is_array() && list.empty();
        if (!raw.links.count(ln)) {
          if (empty)
            r.add("spheres", CheckLevel::Warn, f + ": empty entry for unknown link '" + ln + "'");
          else
            r.add("spheres", CheckLevel::Fail, f + ": spheres on unknown link '" + ln + "' (not in the URDF)");
          continue;
        }
        if (!raw.geometry_links.count(ln) && !empty)
          r.add("spheres", CheckLevel::Warn, f + ": spheres on link '" + ln + "', which has no geometry (ignored)");
        if (!list.is_array()) {
          r.add("spheres", CheckLevel::Fail, f + ": spheres of link '" + ln + "' must be a list of [x, y, z, r]");
          continue;
        }
        int k = 0;
        for (const auto& s : list) {
          bool numeric = s.is_array() && (s.size() == 3 || s.size() == 4);
          if (numeric)
            for (const auto& v : s) numeric = numeric && v.is_number();
          if (!numeric) {
            r.add("spheres", CheckLevel::Fail,
                  f + ": sphere " + std::to_string(k) + " of link '" + ln + "' must be [x, y, z, r]");
          } else if (s.size() == 4 && !(s[3].get<double>() > 0)) {
            r.add("spheres", CheckLevel::Fail,
                  f + ": sphere " + std::to_string(k) + " of link '" + ln + "' has a non-positive radius (" +
                      s[3].dump() + ")");
          }
          ++k;
        }
      }
    }
  }
}

}  // namespace graspqp::onboard_detail
