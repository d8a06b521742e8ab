// `graspqp hand init`: the command's orchestration (source folder, bare model, the steps in order, the
// grasp types from the patches, the files) and its report. The steps live in the other src/onboard files.
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/onboard/hand_init.hpp>

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

#include "internal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace graspqp {

using onboard_detail::axis_json;
using onboard_detail::copy_urdf;
using onboard_detail::dump;
using onboard_detail::fk_at;

// Steps in order (each reads the previous ones): folder and bare model, default pose, structure, grasp types and
// contacts, spheres, then the files.
HandInitReport init_hand(const HandInitOptions& o) {
  HandInitReport report;
  const bool in_place = o.urdf.empty();
  if (in_place && o.hand.empty())
    throw Error("hand init: give --urdf PATH --out DIR, or --hand NAME|DIR to update a hand");
  if (!in_place && o.out.empty()) throw Error("hand init: --out DIR is required with --urdf");
  std::set<std::string> parts(o.only.begin(), o.only.end());
  for (const auto& p : parts)
    if (p != "pose" && p != "contacts" && p != "spheres")
      throw Error("hand init: unknown part '" + p + "' (expected pose, contacts, spheres)");
  auto want = [&](const std::string& p) { return parts.empty() || parts.count(p) > 0; };

  fs::path dir;
  ordered_json config;
  if (in_place) {
    dir = resolve_hand_directory(o.hand);
    config = read_json_file<ordered_json>(dir / "hand.json");
  } else {
    if (!fs::is_regular_file(o.urdf)) throw Error(o.urdf.string() + ": URDF not found");
    dir = fs::absolute(o.out).lexically_normal();
    if (fs::exists(dir / "hand.json") && !o.force)
      throw Error((dir / "hand.json").string() + ": exists (use --force to overwrite, or --hand DIR to update it)");
    fs::create_directories(dir);
    std::string urdf_name;
    if (o.copy) {
      urdf_name = copy_urdf(fs::absolute(o.urdf), o.mesh_dir.empty() ? fs::path() : fs::absolute(o.mesh_dir), dir,
                            report.files, report.notes);
    } else {
      urdf_name = fs::relative(fs::absolute(o.urdf), dir).generic_string();
    }
    config["name"] = o.name.empty() ? dir.filename().string() : o.name;
    config["urdf"] = urdf_name;
    if (!o.visual_as_collision) config["visual_as_collision"] = false;
    if (!o.copy && !o.mesh_dir.empty())
      config["mesh_dir"] = fs::relative(fs::absolute(o.mesh_dir), dir).generic_string();
    // Annotation files are written below; load the bare model first.
    ordered_json bare = config;
    bare["contact_points"] = ".hand_init_none.json";
    bare["penetration_points"] = ".hand_init_none.json";
    bare["grasp_types"] = ".hand_init_none.json";
    write_text_atomically(dir / "hand.json", dump(bare));
  }
  report.directory = dir;

  HandLoadOptions load_options;
  load_options.load_visual = false;
  HandModel model;
  try {
    model = load_hand(dir.string(), load_options);
  } catch (...) {
    if (!in_place) fs::remove(dir / "hand.json");  // no half-made folder that needs --force
    throw;
  }
  {
    // Loader warnings about the files about to be regenerated are moot.
    std::vector<std::string> regenerated;
    if (in_place && want("spheres"))
      regenerated.push_back(config.value("penetration_points", std::string("penetration_points.json")));
    if (in_place && want("contacts")) {
      regenerated.push_back(config.value("contact_points", std::string("contact_points.json")));
      regenerated.push_back(config.value("grasp_types", std::string("eigengrasps.json")));
    }
    for (const auto& w : model.warnings) {
      bool moot = false;
      for (const auto& f : regenerated) moot = moot || w.find((dir / f).string() + ":") != std::string::npos;
      if (!moot) report.notes.push_back("loader: " + w);
    }
  }

  // Default pose.
  const bool set_pose = !in_place || want("pose");
  if (set_pose) {
    const HandStructure initial = analyze_hand_structure(model);  // chains and names do not depend on the pose
    Eigen::VectorXd q = suggested_default_pose(model, o.curl, o.thumb_curl, &initial);
    for (const auto& [jn, v] : o.default_pose) {
      const std::string& name = jn;  // clang 14 cannot capture a structured binding (C++20)
      auto it = std::find_if(model.joints.begin(), model.joints.end(),
                             [&](const ActuatedJoint& a) { return a.name == name; });
      if (it == model.joints.end()) throw Error("hand init: --default-pose names unknown actuated joint '" + jn + "'");
      q[it - model.joints.begin()] = std::clamp(v, it->lower, it->upper);
    }
    for (int j = 0; j < model.dof(); ++j) model.joints[j].default_value = q[j];
  }
  report.default_pose = model.default_joints();
  for (const auto& j : model.joints) report.joint_names.push_back(j.name);
  for (const auto& l : model.links) report.link_names.push_back(l.name);

  report.structure = analyze_hand_structure(model);
  HandStructure& st = report.structure;
  if (!set_pose) {
    // Keep the folder's axes: they steer the palm patches and the closing motion.
    st.approach_axis = model.approach_axis;
    st.up_axis = model.up_axis;
  } else {
    model.approach_axis = st.approach_axis;
    model.up_axis = st.up_axis;
  }
  if (st.chains.empty()) report.notes.push_back("no finger chain found (no moving link with geometry)");
  if (st.palm_main < 0) report.notes.push_back("no palm link (no link with geometry rigidly attached to the root)");

  // Grasp-type initial poses: unused fingers curled (joints moved to their closing limit).
  HandData data(model);
  fk_at(model, model.default_joints(), data);
  const Eigen::VectorXd dq = closing_motion(model, data, st);
  auto curl_chains = [&](const std::set<std::string>& used) {
    ordered_json init = ordered_json::object();
    for (const auto& c : st.chains) {
      if (used.count(c.role)) continue;
      for (int l : c.links) {
        const int a = model.links[l].actuated;
        if (a < 0 || model.joints[a].link != l || std::abs(dq[a]) < 1e-9) continue;
        init[model.joints[a].name] = dq[a] > 0 ? "upper" : "lower";
      }
    }
    return init;
  };
  const bool has_thumb = st.thumb >= 0;
  std::map<std::string, const FingerChain*> by_role;
  for (const auto& c : st.chains) by_role[c.role] = &c;

  // Contacts.
  if (want("contacts")) {
    report.patches = palmar_contact_patches(model, st, o.contacts);
    if (report.patches.empty()) report.notes.push_back("no palmar contact patch found");
    std::map<int, int> points;
    for (const auto& p : report.patches) points[p.link] = p.points;
    auto& full = report.grasp_types["full"];
    for (const auto& p : report.patches) full[model.links[p.link].name] = p.points;
    auto tips_of = [&](const std::vector<std::string>& roles) {
      std::map<std::string, int> t;
      for (const auto& r : roles) {
        auto it = by_role.find(r);
        if (it == by_role.end() || !points.count(it->second->tip)) return std::map<std::string, int>{};
        t[model.links[it->second->tip].name] = points[it->second->tip];
      }
      return t;
    };
    if (has_thumb) {
      auto precision = tips_of({"thumb", "index", "middle"});
      if (!precision.empty()) {
        report.grasp_types["precision"] = precision;
        report.grasp_type_init["precision"] = curl_chains({"thumb", "index", "middle"});
      }
      auto pinch = tips_of({"thumb", "index"});
      if (!pinch.empty()) {
        report.grasp_types["pinch"] = pinch;
        report.grasp_type_init["pinch"] = curl_chains({"thumb", "index"});
      }
    } else if (st.chains.size() == 2) {
      auto pinch = tips_of({"finger1", "finger2"});
      if (!pinch.empty()) report.grasp_types["pinch"] = pinch;
    }
    for (auto it = report.grasp_type_init.begin(); it != report.grasp_type_init.end();)
      it = it->empty() ? report.grasp_type_init.erase(it) : std::next(it);
  }

  // Spheres.
  if (want("spheres")) {
    report.spheres = fit_collision_spheres(model, o.spheres);
    std::set<int> with;
    for (const auto& ls : report.spheres) with.insert(ls.link);
    for (size_t l = 0; l < model.links.size(); ++l)
      if (!model.links[l].collision_mesh.empty() && !with.count(static_cast<int>(l)))
        report.notes.push_back("link '" + model.links[l].name +
                               "' gets no spheres (they would overlap its neighbours at the default pose or over "
                               "the whole joint range)");
  }

  // ---- write ----
  const std::string contacts_name = config.value("contact_points", std::string("contact_points.json"));
  const std::string spheres_name = config.value("penetration_points", std::string("penetration_points.json"));
  const std::string types_name = config.value("grasp_types", std::string("eigengrasps.json"));
  if (want("contacts")) onboard_detail::write_contact_files(model, dir, in_place, contacts_name, types_name, report);
  if (want("spheres")) onboard_detail::write_sphere_file(model, dir, in_place, spheres_name, report);
  onboard_detail::write_hand_json(model, dir, in_place, set_pose, contacts_name, spheres_name, types_name, config,
                                  report);
  return report;
}

// ---- report ----

json HandInitReport::to_json() const {
  json j;
  j["directory"] = directory.string();
  auto name = [&](int l) { return l >= 0 && l < static_cast<int>(link_names.size()) ? link_names[l] : std::string(); };
  json chains = json::array();
  for (const auto& c : structure.chains) {
    json links = json::array();
    for (int l : c.links) links.push_back(name(l));
    chains.push_back({{"role", c.role}, {"base", name(c.base)}, {"tip", name(c.tip)}, {"links", links}});
  }
  json palm = json::array();
  for (int l : structure.palm) palm.push_back(name(l));
  j["structure"] = {{"palm", palm},
                    {"palm_main", name(structure.palm_main)},
                    {"chains", chains},
                    {"approach_axis", axis_json(structure.approach_axis)},
                    {"up_axis", axis_json(structure.up_axis)},
                    {"palm_center", axis_json(structure.palm_center)},
                    {"grasp_center", axis_json(structure.grasp_center)}};
  json pose = json::object();
  for (size_t k = 0; k < joint_names.size() && k < static_cast<size_t>(default_pose.size()); ++k)
    pose[joint_names[k]] = default_pose[k];
  j["default_pose"] = pose;
  json patches = json::array();
  for (const auto& p : this->patches)
    patches.push_back({{"link", name(p.link)}, {"kind", p.kind}, {"area_cm2", p.area * 1e4}, {"points", p.points}});
  j["contact_patches"] = patches;
  json spheres = json::array();
  for (const auto& s : this->spheres)
    spheres.push_back({{"link", name(s.link)}, {"spheres", s.spheres.size()}, {"coverage", s.coverage}});
  j["spheres"] = spheres;
  j["grasp_types"] = grasp_types;
  j["grasp_type_init"] = grasp_type_init;
  j["files"] = files;
  j["backups"] = backups;
  j["notes"] = notes;
  return j;
}

std::string HandInitReport::to_text() const {
  std::ostringstream s;
  auto name = [&](int l) {
    return l >= 0 && l < static_cast<int>(link_names.size()) ? link_names[l] : std::string("-");
  };
  s << "hand folder: " << directory.string() << "\n";
  s << "palm: " << name(structure.palm_main) << " (" << structure.palm.size() << " rigid link(s))\n";
  for (const auto& c : structure.chains)
    s << "  chain " << std::left << std::setw(8) << c.role << " " << name(c.base) << " -> " << name(c.tip) << " ("
      << c.links.size() << " links)\n";
  s << std::fixed << std::setprecision(4);
  s << "approach axis: [" << structure.approach_axis.transpose() << "]  up axis: [" << structure.up_axis.transpose()
    << "]\n";
  s << "default pose:";
  for (size_t k = 0; k < joint_names.size() && k < static_cast<size_t>(default_pose.size()); ++k)
    s << " " << joint_names[k] << "=" << default_pose[k];
  s << "\n";
  if (!patches.empty()) {
    s << "contact patches:\n";
    for (const auto& p : patches)
      s << "  " << std::left << std::setw(28) << name(p.link) << " " << std::setw(5) << p.kind << " "
        << std::setprecision(1) << std::right << std::setw(6) << p.area * 1e4 << " cm2  " << p.points << " points\n"
        << std::setprecision(4);
  }
  for (const auto& [t, links] : grasp_types) {
    int total = 0;
    for (const auto& [l, n] : links) total += n;
    s << "grasp type " << t << ": " << links.size() << " links, " << total << " candidates\n";
  }
  if (!spheres.empty()) {
    int total = 0;
    for (const auto& ls : spheres) total += static_cast<int>(ls.spheres.size());
    s << "self-collision spheres: " << total << "\n";
    for (const auto& ls : spheres)
      s << "  " << std::left << std::setw(28) << name(ls.link) << " " << ls.spheres.size() << " spheres, coverage "
        << std::setprecision(1) << 100 * ls.coverage << " %\n"
        << std::setprecision(4);
  }
  for (const auto& f : files) s << "wrote " << f << "\n";
  for (const auto& b : backups) s << "kept the previous file as " << b << "\n";
  for (const auto& n : notes) s << "note: " << n << "\n";
  return s.str();
}

}  // namespace graspqp
