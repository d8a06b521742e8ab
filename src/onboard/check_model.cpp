// `graspqp hand check` on a loaded model: contact candidates, contact patch offsets, self-collision
// spheres, self-collision at the default pose and the candidates' spread over the joint range.
#include <graspqp/energy/self_penetration.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/onboard/link_solid.hpp>
#include <graspqp/onboard/sphere_fit.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "hand/urdf.hpp"
#include "internal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp::onboard_detail {

// Candidates: on their link's surface (after the loader's projection), with outward normals.
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
      const std::string where =
          "candidate " + std::to_string(i) + " of '" + gt.name + "' on link '" +
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
      r.add("candidates", CheckLevel::Fail,
            std::to_string(off) + " candidate(s) more than " + mm(o.candidate_surface_tolerance, 1) +
                " off their link's surface, e.g. " + first_off);
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
  // The loader's folders and rule, so that the same patch files are found.
  const std::vector<fs::path> bases =
      urdf::asset_bases(model.directory, model.urdf_path, config.value("mesh_dir", std::string(".")));
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

// Spheres: positive radius, centre inside the link, coverage of the link surface.
void check_spheres(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  json coverage = json::object();
  if (model.spheres.empty()) {
    r.add("spheres", CheckLevel::Fail,
          "no self-collision spheres (penetration_points.json): run graspqp hand init --hand " +
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
        r.add("spheres", CheckLevel::Fail,
              "sphere " + std::to_string(k) + " of link '" + link.name + "' has a non-positive radius");
        ++fails;
      } else if (solid) {
        const double d = solid->distance(mine[k].center);
        if (d > mine[k].radius) {
          r.add("spheres", CheckLevel::Fail,
                "sphere " + std::to_string(k) + " of link '" + link.name + "' lies outside its link (centre " +
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
      r.add("spheres", CheckLevel::Fail,
            "spheres of link '" + link.name + "' cover only " + pct(c) +
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
    r.add("spheres", CheckLevel::Warn,
          std::to_string(low.size()) + " link(s) covered below " + pct(o.coverage_warn) + " (within " +
              mm(o.coverage_tolerance, 1) + "): " + list + (low.size() > 6 ? ", ..." : "") + " (-v lists every link)");
  }
  if (bare > 0) {
    std::string names;
    int shown = 0;
    for (const auto& [ln, v] : coverage.items())
      if (v["spheres"].get<int>() == 0 && shown++ < 6) names += (names.empty() ? "" : ", ") + ln;
    r.add("spheres", CheckLevel::Warn,
          std::to_string(bare) + " link(s) with geometry have no spheres (" + names + (bare > 6 ? ", ..." : "") + ")");
  }
  if (fails == 0)
    r.add("spheres", CheckLevel::Pass,
          std::to_string(model.spheres.size()) + " spheres; lowest coverage " + pct(min_cov) + " (" + min_link + ")");
}

// E_spen at the default pose, with the worst overlapping pair for the message.
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
      if (sa.link == sb.link || model.links[sa.link].parent == sb.link || model.links[sb.link].parent == sa.link)
        continue;
      const double ov =
          sa.radius + sb.radius - (data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm();
      if (ov > worst) {
        worst = ov;
        pair = model.links[sa.link].name + "' and '" + model.links[sb.link].name;
      }
    }
  r.add("self_collision", CheckLevel::Fail,
        "self-collision at the default pose: E_spen " + mm(e) + " > " + mm(o.self_penetration_tolerance, 1) +
            " (worst: spheres of '" + pair + "' overlap by " + mm(worst) + ")");
}

// Measures only (warnings): candidate spread and opposition over random poses of the joint range.
void measure_spread(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  if (model.grasp_types.empty()) return;
  std::vector<Eigen::VectorXd> poses{model.default_joints(), model.lower_limits(), model.upper_limits(),
                                     0.5 * (model.lower_limits() + model.upper_limits())};
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < o.spread_poses; ++k) {
    Eigen::VectorXd q(model.dof());
    for (int j = 0; j < model.dof(); ++j)
      q[j] = model.joints[j].lower + u(rng) * (model.joints[j].upper - model.joints[j].lower);
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
    spread[gt.name] = {{"candidates", gt.candidates.size()},   {"links", links.size()},
                       {"spread_default_mm", s_default * 1e3}, {"spread_min_mm", s_min * 1e3},
                       {"spread_max_mm", s_max * 1e3},         {"most_opposed_normals", opposition}};
    if (links.size() < 2)
      r.add("spread", CheckLevel::Warn, "grasp type '" + gt.name + "' has candidates on one link only");
    else if (s_max < 0.01)
      r.add("spread", CheckLevel::Warn,
            "grasp type '" + gt.name + "': candidates stay within " + mm(s_max, 1) +
                " RMS of their centre over the joint range");
    if (opposition > -0.5)
      r.add("spread", CheckLevel::Warn,
            "grasp type '" + gt.name +
                "': no two candidates on different links face each other anywhere in the "
                "joint range (most opposed normals: cos " +
                fixed(opposition, 2) + ")");
  }
  r.measures["candidate_spread"] = spread;
}

}  // namespace graspqp::onboard_detail
