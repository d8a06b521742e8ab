// `graspqp hand check`: validation of a hand folder (rules in include/graspqp/hand/hand_check.hpp and
// docs/adding_a_hand.md).
#include <graspqp/energy/self_penetration.hpp>
#include <graspqp/error.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/hand/hand_check.hpp>
#include <graspqp/hand/hand_init.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/object/object_model.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <mujoco/mujoco.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

#include "hand/urdf.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

namespace {

std::string mm(double metres, int precision = 2) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << metres * 1e3 << " mm";
  return s.str();
}
std::string pct(double f) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100 * f << " %";
  return s.str();
}
std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

// read_json_file without throwing: false and the one-line reason in `error`.
bool try_read_json_file(const fs::path& p, json& out, std::string& error) {
  try {
    out = read_json_file(p);
  } catch (const Error& e) {
    error = e.what();
    return false;
  }
  return true;
}

// ---- checks on the raw files (before loading) ----

struct RawFiles {
  json config;
  fs::path urdf_path;
  std::set<std::string> links;           // URDF link names
  std::set<std::string> geometry_links;  // links with collision (or visual, if used) geometry
  bool urdf_ok = false;
};

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
          if (empty) r.add("spheres", CheckLevel::Warn, f + ": empty entry for unknown link '" + ln + "'");
          else r.add("spheres", CheckLevel::Fail, f + ": spheres on unknown link '" + ln + "' (not in the URDF)");
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
            r.add("spheres", CheckLevel::Fail, f + ": sphere " + std::to_string(k) + " of link '" + ln + "' must be [x, y, z, r]");
          } else if (s.size() == 4 && !(s[3].get<double>() > 0)) {
            r.add("spheres", CheckLevel::Fail, f + ": sphere " + std::to_string(k) + " of link '" + ln +
                                                   "' has a non-positive radius (" + s[3].dump() + ")");
          }
          ++k;
        }
      }
    }
  }
}

// ---- model checks ----

void check_candidates(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  if (model.grasp_types.empty()) {
    r.add("candidates", CheckLevel::Fail, "no contact candidates (no contact_points.json): run graspqp hand init");
    return;
  }
  std::map<int, std::unique_ptr<LinkSolid>> solids;
  auto solid = [&](int l) -> const LinkSolid& {
    auto& s = solids[l];
    if (!s) s = std::make_unique<LinkSolid>(model.links[l].collision_mesh);
    return *s;
  };
  int fails = 0;
  for (const auto& gt : model.grasp_types) {
    if (gt.candidates.empty()) {
      r.add("candidates", CheckLevel::Fail, "grasp type '" + gt.name + "' has no candidates");
      ++fails;
      continue;
    }
    double worst_off = 0;
    int off = 0, inward = 0;
    std::string first_off, first_inward;
    for (size_t i = 0; i < gt.candidates.size(); ++i) {
      const ContactCandidate& c = gt.candidates[i];
      const std::string where = "candidate " + std::to_string(i) + " of '" + gt.name + "' on link '" +
                                (c.link >= 0 && c.link < static_cast<int>(model.links.size()) ? model.links[c.link].name : "?") + "'";
      if (c.link < 0 || c.link >= static_cast<int>(model.links.size()) || !model.links[c.link].collision_sdf) {
        r.add("candidates", CheckLevel::Fail, where + ": link has no geometry");
        ++fails;
        continue;
      }
      const LinkModel& link = model.links[c.link];
      const double d = std::abs(link.collision_sdf->query(c.position).distance);
      worst_off = std::max(worst_off, d);
      if (d > o.candidate_surface_tolerance) {
        if (off++ == 0) first_off = where + " is " + mm(d) + " off the surface";
      }
      if (!(std::abs(c.normal.norm() - 1) < 1e-6)) {
        if (inward++ == 0) first_inward = where + " has a non-unit normal";
        continue;
      }
      const LinkSolid& s = solid(c.link);
      const bool out_inside = std::abs(s.winding_number(c.position + o.normal_probe * c.normal)) > 0.5;
      const bool in_inside = std::abs(s.winding_number(c.position - o.normal_probe * c.normal)) > 0.5;
      if (out_inside && !in_inside)
        if (inward++ == 0) first_inward = where + " has an inward normal";
    }
    if (off > 0) {
      r.add("candidates", CheckLevel::Fail, std::to_string(off) + " candidate(s) more than " +
                                                mm(o.candidate_surface_tolerance, 1) + " off their link's surface, e.g. " +
                                                first_off);
      ++fails;
    }
    if (inward > 0) {
      r.add("candidates", CheckLevel::Fail,
            std::to_string(inward) + " candidate(s) with inward normals, e.g. " + first_inward);
      ++fails;
    }
  }
  if (fails == 0) {
    std::string types;
    for (const auto& gt : model.grasp_types)
      types += (types.empty() ? "" : ", ") + gt.name + " " + std::to_string(gt.candidates.size());
    r.add("candidates", CheckLevel::Pass, "candidates on their link surfaces with outward normals (" + types + ")");
  }
}

// Patch samples before the loader's projection: the same points the loader draws.
void check_patch_offsets(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  json config, patches, types = json::object();
  std::string err;
  if (!try_read_json_file(model.directory / "hand.json", config, err)) return;
  const fs::path contacts_path = model.directory / config.value("contact_points", std::string("contact_points.json"));
  const fs::path types_path = model.directory / config.value("grasp_types", std::string("eigengrasps.json"));
  if (!fs::exists(contacts_path) || !try_read_json_file(contacts_path, patches, err)) return;
  if (fs::exists(types_path)) try_read_json_file(types_path, types, err);
  const fs::path mesh_dir = model.directory / config.value("mesh_dir", std::string("."));
  const std::vector<fs::path> bases{mesh_dir, model.urdf_path.parent_path(), model.directory};
  json offsets = json::object();
  double worst = 0;
  std::string worst_link;
  for (const auto& [ln, entries] : patches.items()) {
    const int l = model.link_index(ln);
    if (l < 0 || !model.links[l].collision_sdf || !entries.is_array()) continue;
    int n_max = 0;
    for (const auto& [tn, links] : types.items())
      if (links.is_object() && links.contains(ln)) n_max = std::max(n_max, links[ln].value("n_points", 0));
    double link_max = 0, link_sum = 0;
    int count = 0;
    for (const auto& e : entries) {
      std::vector<Vec3> pts;
      if (e.is_array() && e.size() == 2 && e[0].is_string()) {
        const fs::path file = urdf::resolve_asset(e[0].get<std::string>(), bases);
        if (file.empty()) continue;
        TriangleMesh mesh;
        try {
          mesh = load_mesh(file);
        } catch (const std::exception&) {
          continue;
        }
        const int n = std::max(n_max, e[1].is_number() ? e[1].get<int>() : 0);
        const auto dense = sample_surface(mesh, 1000, 42);
        std::vector<Vec3> dp;
        for (const auto& s : dense) dp.push_back(s.position);
        for (int idx : farthest_point_sampling(dp, std::min<int>(n, dp.size()), 0))
          pts.push_back(model.links[l].annotation_frame * dp[idx]);
      } else {
        continue;  // explicit points: given by the user on purpose
      }
      for (const auto& p : pts) {
        const double d = std::abs(model.links[l].collision_sdf->query(p).distance);
        link_max = std::max(link_max, d);
        link_sum += d;
        ++count;
      }
    }
    if (count == 0) continue;
    offsets[ln] = {{"max_mm", link_max * 1e3}, {"mean_mm", link_sum / count * 1e3}};
    if (link_max > worst) {
      worst = link_max;
      worst_link = ln;
    }
  }
  r.measures["patch_offset"] = offsets;
  if (worst > o.patch_offset_fail)
    r.add("candidates", CheckLevel::Fail,
          "contact patch of link '" + worst_link + "' lies " + mm(worst, 1) +
              " off the link's surface before projection (patch in the wrong frame or on the wrong link?)");
  else if (worst > o.patch_offset_warn)
    r.add("candidates", CheckLevel::Warn,
          "contact patch samples lie up to " + mm(worst) + " off the surface before projection (link '" + worst_link +
              "'); the loader projects them onto it");
}

void check_spheres(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  json coverage = json::object();
  if (model.spheres.empty()) {
    r.add("spheres", CheckLevel::Fail, "no self-collision spheres (penetration_points.json): run graspqp hand init --hand " +
                                           model.directory.string() + " --only spheres");
    return;
  }
  int fails = 0, bare = 0;
  std::vector<std::string> low;
  double min_cov = 1;
  std::string min_link;
  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    std::vector<CollisionSphere> mine;
    for (const auto& s : model.spheres)
      if (s.link == static_cast<int>(l)) mine.push_back(s);
    // The union of the link's primitives: the merged mesh's signed distance is unreliable inside
    // overlapping primitives (LEAP, Barrett).
    std::unique_ptr<LinkSolid> solid;
    if (!mine.empty() && !link.collision_mesh.empty()) solid = std::make_unique<LinkSolid>(link.collision_mesh);
    for (size_t k = 0; k < mine.size(); ++k) {
      if (!(mine[k].radius > 0)) {
        r.add("spheres", CheckLevel::Fail, "sphere " + std::to_string(k) + " of link '" + link.name + "' has a non-positive radius");
        ++fails;
      } else if (solid) {
        const double d = solid->distance(mine[k].center);
        if (d > mine[k].radius) {
          r.add("spheres", CheckLevel::Fail, "sphere " + std::to_string(k) + " of link '" + link.name + "' lies outside its link (centre " +
                                                 mm(d, 1) + " from the surface, radius " + mm(mine[k].radius, 1) + ")");
          ++fails;
        }
      }
    }
    if (link.collision_mesh.empty()) continue;
    const double c = sphere_coverage(model, static_cast<int>(l), mine, o.coverage_tolerance, o.coverage_samples);
    coverage[link.name] = {{"spheres", mine.size()}, {"coverage", c}};
    if (mine.empty()) {
      ++bare;
      continue;
    }
    if (c < min_cov) {
      min_cov = c;
      min_link = link.name;
    }
    if (c < o.coverage_fail) {
      r.add("spheres", CheckLevel::Fail, "spheres of link '" + link.name + "' cover only " + pct(c) +
                                             " of its surface (misplaced: wrong link or frame?)");
      ++fails;
    } else if (c < o.coverage_warn) {
      low.push_back(link.name + " " + pct(c));
    }
  }
  r.measures["sphere_coverage"] = coverage;
  if (!low.empty()) {
    std::string list;
    for (size_t k = 0; k < low.size() && k < 6; ++k) list += (k ? ", " : "") + low[k];
    r.add("spheres", CheckLevel::Warn, std::to_string(low.size()) + " link(s) covered below " + pct(o.coverage_warn) +
                                           " (within " + mm(o.coverage_tolerance, 1) + "): " + list +
                                           (low.size() > 6 ? ", ..." : "") + " (-v lists every link)");
  }
  if (bare > 0) {
    std::string names;
    int shown = 0;
    for (const auto& [ln, v] : coverage.items())
      if (v["spheres"].get<int>() == 0 && shown++ < 6) names += (names.empty() ? "" : ", ") + ln;
    r.add("spheres", CheckLevel::Warn, std::to_string(bare) + " link(s) with geometry have no spheres (" + names +
                                           (bare > 6 ? ", ..." : "") + ")");
  }
  if (fails == 0)
    r.add("spheres", CheckLevel::Pass, std::to_string(model.spheres.size()) + " spheres; lowest coverage " + pct(min_cov) +
                                           " (" + min_link + ")");
}

void check_self_collision(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  HandData data(model);
  forward_kinematics(model, make_state(Vec3::Zero(), Mat3::Identity(), model.default_joints()), data);
  const double e = self_penetration_energy(model, data, {}, 0);
  r.measures["self_penetration_default_mm"] = e * 1e3;
  if (e <= o.self_penetration_tolerance) {
    r.add("self_collision", CheckLevel::Pass, "E_spen at the default pose " + mm(e, 3));
    return;
  }
  // The worst pair, for the message.
  double worst = 0;
  std::string pair;
  for (size_t a = 0; a < model.spheres.size(); ++a)
    for (size_t b = a + 1; b < model.spheres.size(); ++b) {
      const auto &sa = model.spheres[a], &sb = model.spheres[b];
      if (sa.link == sb.link || model.links[sa.link].parent == sb.link || model.links[sb.link].parent == sa.link) continue;
      const double ov = sa.radius + sb.radius - (data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm();
      if (ov > worst) {
        worst = ov;
        pair = model.links[sa.link].name + "' and '" + model.links[sb.link].name;
      }
    }
  r.add("self_collision", CheckLevel::Fail, "self-collision at the default pose: E_spen " + mm(e) + " > " +
                                                mm(o.self_penetration_tolerance, 1) + " (worst: spheres of '" + pair +
                                                "' overlap by " + mm(worst) + ")");
}

void measure_spread(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  if (model.grasp_types.empty()) return;
  std::vector<Eigen::VectorXd> poses{model.default_joints(), model.lower_limits(), model.upper_limits(),
                                     0.5 * (model.lower_limits() + model.upper_limits())};
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < o.spread_poses; ++k) {
    Eigen::VectorXd q(model.dof());
    for (int j = 0; j < model.dof(); ++j) q[j] = model.joints[j].lower + u(rng) * (model.joints[j].upper - model.joints[j].lower);
    poses.push_back(q);
  }
  HandData data(model);
  json spread = json::object();
  for (const auto& gt : model.grasp_types) {
    if (gt.candidates.empty()) continue;
    double s_default = 0, s_min = 1e9, s_max = 0, opposition = 1;
    std::set<int> links;
    for (const auto& c : gt.candidates) links.insert(c.link);
    for (size_t p = 0; p < poses.size(); ++p) {
      forward_kinematics(model, make_state(Vec3::Zero(), Mat3::Identity(), poses[p]), data);
      std::vector<Vec3> pts, nrm;
      Vec3 mean = Vec3::Zero();
      for (const auto& c : gt.candidates) {
        pts.push_back(data.to_world(c.link, c.position));
        nrm.push_back(data.dir_to_world(c.link, c.normal));
        mean += pts.back();
      }
      mean /= static_cast<double>(pts.size());
      double ss = 0;
      for (const auto& x : pts) ss += (x - mean).squaredNorm();
      const double s = std::sqrt(ss / pts.size());
      if (p == 0) s_default = s;
      s_min = std::min(s_min, s);
      s_max = std::max(s_max, s);
      for (size_t a = 0; a < nrm.size(); ++a)
        for (size_t b = a + 1; b < nrm.size(); ++b)
          if (gt.candidates[a].link != gt.candidates[b].link) opposition = std::min(opposition, nrm[a].dot(nrm[b]));
    }
    spread[gt.name] = {{"candidates", gt.candidates.size()}, {"links", links.size()},
                       {"spread_default_mm", s_default * 1e3}, {"spread_min_mm", s_min * 1e3},
                       {"spread_max_mm", s_max * 1e3}, {"most_opposed_normals", opposition}};
    if (links.size() < 2)
      r.add("spread", CheckLevel::Warn, "grasp type '" + gt.name + "' has candidates on one link only");
    else if (s_max < 0.01)
      r.add("spread", CheckLevel::Warn, "grasp type '" + gt.name + "': candidates stay within " + mm(s_max, 1) +
                                            " RMS of their centre over the joint range");
    if (opposition > -0.5)
      r.add("spread", CheckLevel::Warn, "grasp type '" + gt.name +
                                            "': no two candidates on different links face each other anywhere in the "
                                            "joint range (most opposed normals: cos " + fixed(opposition, 2) + ")");
  }
  r.measures["candidate_spread"] = spread;
}

std::atomic<int> box_counter{0};

void check_mujoco(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  const fs::path box = fs::temp_directory_path() /
                       ("graspqp_hand_check_" + std::to_string(::getpid()) + "_" + std::to_string(box_counter++) + ".obj");
  {
    std::ofstream f(box);
    const TriangleMesh m = make_box(Vec3(0.02, 0.02, 0.02));
    for (const auto& v : m.vertices) f << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
    for (const auto& fc : m.faces) f << "f " << fc[0] + 1 << " " << fc[1] + 1 << " " << fc[2] + 1 << "\n";
  }
  std::shared_ptr<const SimScene> scene;
  try {
    const ObjectModel object = load_object(box);
    SimProtocol p = make_protocol("graspqp");
    p.gravity = o.mujoco_gravity;
    SimSceneOptions so;
    so.cache_dir = o.cache_dir;
    scene = build_sim_scene(model, object, p, so);
  } catch (const std::exception& e) {
    fs::remove(box);
    r.add("mujoco", CheckLevel::Fail, std::string("the MuJoCo model does not compile: ") + e.what());
    return;
  }
  fs::remove(box);
  const mjModel* m = scene->model.get();
  mjData* d = mj_makeData(m);
  const Eigen::VectorXd q0 = model.default_joints();
  std::vector<double> jv;
  coupled_joint_values(model, q0, jv);
  // Hand frames with gravity along -z, +z, -x, -y of the hand: identity, and rotations about x and y.
  const std::vector<Eigen::Quaterniond> orientations{
      Eigen::Quaterniond::Identity(), Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Vec3::UnitX())),
      Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Vec3::UnitY())),
      Eigen::Quaterniond(Eigen::AngleAxisd(-M_PI / 2, Vec3::UnitX()))};
  double drift_rev = 0, drift_pri = 0;
  std::string worst_joint;
  double worst_ratio = 0;
  bool unstable = false;
  try {
    for (const auto& quat : orientations) {
      mj_resetData(m, d);
      d->mocap_pos[3 * scene->mocap + 0] = 0;
      d->mocap_pos[3 * scene->mocap + 1] = 0;
      d->mocap_pos[3 * scene->mocap + 2] = 1.0;  // the box sits at the origin, far from the hand
      d->mocap_quat[4 * scene->mocap + 0] = quat.w();
      d->mocap_quat[4 * scene->mocap + 1] = quat.x();
      d->mocap_quat[4 * scene->mocap + 2] = quat.y();
      d->mocap_quat[4 * scene->mocap + 3] = quat.z();
      for (size_t l = 0; l < model.links.size(); ++l)
        if (scene->link_qpos[l] >= 0) d->qpos[scene->link_qpos[l]] = jv[l];
      for (int a = 0; a < model.dof(); ++a) d->ctrl[scene->actuator[a]] = q0[a];
      mj_forward(m, d);
      const int steps = std::max(1, static_cast<int>(o.mujoco_seconds / m->opt.timestep));
      for (int s = 0; s < steps; ++s) {
        mj_step(m, d);
        if (d->warning[mjWARN_BADQACC].number > 0) unstable = true;
      }
      for (size_t l = 0; l < model.links.size(); ++l) {
        if (scene->link_qpos[l] < 0) continue;
        const double dev = std::abs(d->qpos[scene->link_qpos[l]] - jv[l]);
        if (!std::isfinite(dev)) unstable = true;
        const bool prismatic = model.links[l].joint_type == JointType::Prismatic;
        (prismatic ? drift_pri : drift_rev) = std::max(prismatic ? drift_pri : drift_rev, dev);
        const double ratio = dev / (prismatic ? o.mujoco_tolerance_prismatic : o.mujoco_tolerance_revolute);
        if (ratio > worst_ratio) {
          worst_ratio = ratio;
          worst_joint = model.links[l].joint_name;
        }
      }
    }
  } catch (const std::exception& e) {
    mj_deleteData(d);
    r.add("mujoco", CheckLevel::Fail, std::string("MuJoCo simulation failed: ") + e.what());
    return;
  }
  mj_deleteData(d);
  r.measures["mujoco"] = {{"max_drift_rad", drift_rev}, {"max_drift_m", drift_pri}, {"hand_parts", scene->hand_parts},
                          {"gravity", o.mujoco_gravity}, {"seconds_per_orientation", o.mujoco_seconds},
                          {"gains", scene->hand_params.from_hand_json ? "hand.json sim" : "built-in defaults"}};
  const std::string drift = fixed(drift_rev, 4) + " rad, " + mm(drift_pri);
  if (unstable)
    r.add("mujoco", CheckLevel::Fail, "the MuJoCo model is unstable at the default pose (bad accelerations)");
  else if (worst_ratio > 1)
    r.add("mujoco", CheckLevel::Fail, "the MuJoCo model does not hold the default pose under " +
                                          fixed(o.mujoco_gravity, 2) + " m/s^2 gravity: joint '" + worst_joint +
                                          "' drifts (max drift " + drift + ")");
  else
    r.add("mujoco", CheckLevel::Pass, "compiles (" + std::to_string(scene->hand_parts) +
                                          " convex parts) and holds the default pose under gravity in 4 orientations "
                                          "(max drift " + drift + ")");
}

}  // namespace

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
  r.add("load", CheckLevel::Pass, "URDF and meshes load: " + std::to_string(model.links.size()) + " links (" +
                                      std::to_string(meshes) + " with geometry), " + std::to_string(model.dof()) + " DOF");
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
  if (missing_visuals == 1) r.add("load", CheckLevel::Warn, first_visual);
  else if (missing_visuals > 1)
    r.add("load", CheckLevel::Warn, std::to_string(missing_visuals) + " visual meshes not found (only used for drawing), e.g. " +
                                        first_visual);
  check_hand_model(model, o, r);
  return r;
}

// ---- report ----

bool HandCheckReport::passed() const { return count(CheckLevel::Fail) == 0; }

int HandCheckReport::count(CheckLevel level) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [&](const CheckItem& i) { return i.level == level; }));
}

std::vector<std::string> HandCheckReport::failures() const {
  std::vector<std::string> out;
  for (const auto& i : items)
    if (i.level == CheckLevel::Fail) out.push_back(i.check + ": " + i.message);
  return out;
}

namespace {
const char* level_name(CheckLevel l) { return l == CheckLevel::Pass ? "pass" : l == CheckLevel::Warn ? "warn" : "FAIL"; }
}  // namespace

json HandCheckReport::to_json() const {
  json items_json = json::array();
  for (const auto& i : items) items_json.push_back({{"check", i.check}, {"level", i.level == CheckLevel::Pass ? "pass" : i.level == CheckLevel::Warn ? "warn" : "fail"}, {"message", i.message}});
  return {{"hand", hand},      {"directory", directory.string()}, {"passed", passed()},
          {"failures", count(CheckLevel::Fail)}, {"warnings", count(CheckLevel::Warn)},
          {"items", items_json}, {"measures", measures}};
}

std::string HandCheckReport::to_text(bool verbose) const {
  std::ostringstream s;
  s << "hand " << hand << " (" << directory.string() << "): " << (passed() ? "PASS" : "FAIL") << " ("
    << count(CheckLevel::Fail) << " failures, " << count(CheckLevel::Warn) << " warnings)\n";
  for (const auto& i : items) s << "  [" << level_name(i.level) << "] " << std::left << std::setw(15) << i.check << i.message << "\n";
  if (measures.contains("candidate_spread")) {
    s << "  candidate spread (RMS distance to the candidates' centre) over the joint range:\n";
    for (const auto& [t, v] : measures["candidate_spread"].items())
      s << "    " << std::left << std::setw(10) << t << v["candidates"].get<int>() << " candidates on "
        << v["links"].get<int>() << " links: " << fixed(v["spread_default_mm"].get<double>(), 1) << " mm at the default pose, "
        << fixed(v["spread_min_mm"].get<double>(), 1) << "-" << fixed(v["spread_max_mm"].get<double>(), 1)
        << " mm over the range; most opposed normals cos " << fixed(v["most_opposed_normals"].get<double>(), 2) << "\n";
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
