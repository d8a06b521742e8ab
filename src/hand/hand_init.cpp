// `graspqp hand init`: structure inference, palmar contact patches, self-collision spheres and the
// files of a hand folder. Rules: docs/adding_a_hand.md.
#include <graspqp/error.hpp>
#include <graspqp/geometry/orientation.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/hand/hand_init.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/io/atomic_file.hpp>

#include <tinyxml2.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "hand/urdf.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace graspqp {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double round_to(double v, double step) {
  const double inv = std::round(1.0 / step);
  return std::round(v * inv) / inv;
}

Vec3 round_axis(Vec3 v) {
  v.normalize();
  for (int k = 0; k < 3; ++k) {
    v[k] = round_to(v[k], 1e-4);
    if (std::abs(v[k]) < 1e-4) v[k] = 0;  // no "-0"
  }
  return v.normalized();
}

Eigen::VectorXd mid_range(const HandModel& m) { return 0.5 * (m.lower_limits() + m.upper_limits()); }

void fk_at(const HandModel& model, const Eigen::VectorXd& q, HandData& data) {
  forward_kinematics(model, make_state(Vec3::Zero(), Mat3::Identity(), q), data);
}

// Triangle solid angle (Van Oosterom & Strackee), for the generalized winding number.
double solid_angle(const Vec3& a, const Vec3& b, const Vec3& c) {
  const double la = a.norm(), lb = b.norm(), lc = c.norm();
  const double num = a.dot(b.cross(c));
  const double den = la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb;
  return 2.0 * std::atan2(num, den);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// LinkSolid
// ---------------------------------------------------------------------------------------------------

LinkSolid::LinkSolid(const TriangleMesh& mesh) : mesh_(mesh) {
  std::vector<TriangleMesh> parts = connected_components(mesh, &face_component_);
  for (auto& p : parts) {
    orient_outward(p);
    parts_.push_back(std::make_shared<SignedDistanceField>(p));
  }
}

double LinkSolid::depth(const Vec3& p) const { return depth_excluding(p, -1); }

double LinkSolid::depth_excluding(const Vec3& p, int component) const {
  double d = -std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < parts_.size(); ++k)
    if (static_cast<int>(k) != component) d = std::max(d, -parts_[k]->query(p).distance);
  return d;
}

double LinkSolid::distance(const Vec3& p) const {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& part : parts_) best = std::min(best, part->query(p).distance);
  return best;
}

std::vector<std::pair<Vec3, Vec3>> LinkSolid::outer_samples(int n, std::uint64_t seed) const {
  std::vector<std::pair<Vec3, Vec3>> out;
  if (mesh_.faces.empty() || n <= 0) return out;
  const auto dense = sample_surface(mesh_, 2 * n, seed);
  for (const auto& s : dense) {
    if (static_cast<int>(out.size()) >= n) break;
    if (parts_.size() > 1 && depth_excluding(s.position, face_component_[s.face]) > 1e-4) continue;
    out.emplace_back(s.position, s.normal);
  }
  return out;
}

double LinkSolid::winding_number(const Vec3& p) const {
  double w = 0;
  for (const auto& f : mesh_.faces)
    w += solid_angle(mesh_.vertices[f[0]] - p, mesh_.vertices[f[1]] - p, mesh_.vertices[f[2]] - p);
  return w / (4 * M_PI);
}

// ---------------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------------

Eigen::VectorXd suggested_default_pose(const HandModel& model, double curl, double thumb_curl,
                                       const HandStructure* structure) {
  std::set<int> thumb_links, chain_links;
  if (structure && structure->thumb >= 0 && structure->chains[structure->thumb].named)
    thumb_links.insert(structure->chains[structure->thumb].links.begin(), structure->chains[structure->thumb].links.end());
  if (structure)
    for (const auto& c : structure->chains) chain_links.insert(c.links.begin(), c.links.end());
  Eigen::VectorXd q(model.dof());
  for (int j = 0; j < model.dof(); ++j) {
    const auto& a = model.joints[j];
    const double z = std::clamp(0.0, a.lower, a.upper), m = 0.5 * (a.lower + a.upper);
    // Joints outside the fingers (a wrist) stay at zero.
    const double c = thumb_links.count(a.link) ? thumb_curl : (structure && !chain_links.count(a.link)) ? 0.0 : curl;
    q[j] = std::clamp(z + c * (m - z), a.lower, a.upper);
  }
  return q;
}

Eigen::VectorXd closing_motion(const HandModel& model, const HandData& data, const HandStructure& structure) {
  const Vec3 approach_axis = structure.approach_axis;
  std::set<int> chain_links;
  for (const auto& c : structure.chains) chain_links.insert(c.links.begin(), c.links.end());
  const Eigen::VectorXd mid = mid_range(model);
  Eigen::VectorXd dq = mid - model.default_joints();
  for (int j = 0; j < model.dof(); ++j) {
    // A joint that starts at mid-range (e.g. an opposed thumb) closes like from its zero pose.
    const auto& a = model.joints[j];
    if (std::abs(dq[j]) < 0.05 * (a.upper - a.lower)) dq[j] = mid[j] - std::clamp(0.0, a.lower, a.upper);
  }
  const Vec3 a = approach_axis.normalized();
  for (int j = 0; j < model.dof(); ++j) {
    const int l = model.joints[j].link;
    if (!chain_links.count(l) ||
        (model.joints[j].type == JointType::Revolute && std::abs(data.axis_world[l].dot(a)) > std::cos(M_PI / 6)))
      dq[j] = 0;
  }
  return dq;
}

HandStructure analyze_hand_structure(const HandModel& model) {
  HandStructure s;
  const int n = static_cast<int>(model.links.size());
  std::vector<bool> moving(n, false), geo_below(n, false);
  for (int l = 0; l < n; ++l)
    if (model.links[l].parent >= 0)
      moving[l] = moving[model.links[l].parent] || model.links[l].joint_type != JointType::Fixed;
  for (int l = n - 1; l >= 0; --l)
    for (int c : model.links[l].children)
      if (geo_below[c] || model.links[c].collision_sdf) geo_below[l] = true;

  HandData data(model);
  fk_at(model, model.default_joints(), data);

  auto ancestors = [&](int l) {  // l first, root last
    std::vector<int> a;
    for (; l >= 0; l = model.links[l].parent) a.push_back(l);
    return a;
  };
  // The hand's centre link: the deepest common ancestor of the fingertips (with one fingertip, the link above
  // its first moving joint). Links above it (forearm, wrist) belong to neither the palm nor a finger.
  auto common_ancestor = [&](const std::vector<int>& tips) {
    if (tips.empty()) return 0;
    const auto first = ancestors(tips[0]);
    if (tips.size() == 1) {
      int top = tips[0];
      for (int l : first)
        if (moving[l]) top = l;
      return std::max(0, model.links[top].parent);
    }
    for (int c : first) {
      bool all = true;
      for (int t : tips) {
        const auto a = ancestors(t);
        all = all && std::find(a.begin(), a.end(), c) != a.end();
      }
      if (all) return c;
    }
    return 0;
  };
  // Links rigidly attached to a link (through fixed joints, up and down the tree).
  auto rigid_group = [&](int c) {
    std::set<int> g{c};
    std::vector<int> stack{c};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      const LinkModel& link = model.links[l];
      if (link.parent >= 0 && link.joint_type == JointType::Fixed && g.insert(link.parent).second) stack.push_back(link.parent);
      for (int ch : link.children)
        if (model.links[ch].joint_type == JointType::Fixed && g.insert(ch).second) stack.push_back(ch);
    }
    return g;
  };
  std::vector<int> tips;
  for (int l = 0; l < n; ++l)
    if (model.links[l].collision_sdf && !geo_below[l] && moving[l]) tips.push_back(l);
  int centre = common_ancestor(tips);
  std::set<int> rigid = rigid_group(centre);
  const size_t before = tips.size();
  tips.erase(std::remove_if(tips.begin(), tips.end(), [&](int t) { return rigid.count(t) > 0; }), tips.end());
  if (tips.size() != before) {
    centre = common_ancestor(tips);
    rigid = rigid_group(centre);
  }

  double best_volume = -1;
  for (int l : rigid) {
    if (!model.links[l].collision_sdf) continue;
    s.palm.push_back(l);
    const double v = model.links[l].collision_box.volume();
    if (v > best_volume) {
      best_volume = v;
      s.palm_main = l;
    }
  }
  std::sort(s.palm.begin(), s.palm.end());
  if (s.palm_main >= 0) s.palm_center = data.pose_base[s.palm_main] * model.links[s.palm_main].collision_box.center();
  else s.palm_center = data.pose_base[centre].translation();

  for (int t : tips) {
    FingerChain c;
    c.tip = t;
    for (int k = t; k >= 0 && k != centre && !rigid.count(k); k = model.links[k].parent) c.links.push_back(k);
    std::reverse(c.links.begin(), c.links.end());
    if (c.links.empty()) continue;
    c.base = c.links.front();
    s.chains.push_back(std::move(c));
  }

  // Thumb: a chain with "thumb" in a link or joint name, else (3+ chains) the chain whose base is farthest
  // (mean distance) from the other bases.
  auto base_pos = [&](const FingerChain& c) { return Vec3(data.pose_base[c.base].translation()); };
  for (size_t i = 0; i < s.chains.size() && s.thumb < 0; ++i)
    for (int l : s.chains[i].links)
      if (lower(model.links[l].name).find("thumb") != std::string::npos ||
          lower(model.links[l].joint_name).find("thumb") != std::string::npos) {
        s.thumb = static_cast<int>(i);
        s.chains[i].named = true;
        break;
      }
  if (s.thumb < 0 && s.chains.size() >= 3) {
    double best = -1;
    for (size_t i = 0; i < s.chains.size(); ++i) {
      double sum = 0;
      for (size_t k = 0; k < s.chains.size(); ++k)
        if (k != i) sum += (base_pos(s.chains[i]) - base_pos(s.chains[k])).norm();
      if (sum > best + 1e-9) {
        best = sum;
        s.thumb = static_cast<int>(i);
      }
    }
  }
  // Finger names in the chain's subtree (links and joints below its base, e.g. "index_tip_head").
  auto subtree_names = [&](const FingerChain& c) {  // alphabetic tokens of link and joint names, space-separated
    std::string names;
    std::vector<int> stack{c.base};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      for (const std::string& raw : {model.links[l].name, model.links[l].joint_name}) {
        names += ' ';
        for (char ch : lower(raw)) names += std::isalpha(static_cast<unsigned char>(ch)) ? ch : ' ';
      }
      for (int ch : model.links[l].children) stack.push_back(ch);
    }
    return names + " ";
  };
  if (s.thumb >= 0) {
    // Thumb first, then the fingers named index/middle/ring/little|pinky, then the others by the distance of
    // their base to the thumb's base (stable).
    std::vector<FingerChain> ordered{s.chains[s.thumb]};
    std::vector<FingerChain> rest;
    for (size_t i = 0; i < s.chains.size(); ++i)
      if (static_cast<int>(i) != s.thumb) rest.push_back(s.chains[i]);
    const Vec3 tb = base_pos(ordered[0]);
    auto named_rank = [&](const FingerChain& c) {
      const std::string n = subtree_names(c);
      const char* words[] = {"index", "middle", "ring", "little", "pinky"};
      for (int k = 0; k < 5; ++k)
        if (n.find(" " + std::string(words[k]) + " ") != std::string::npos) return std::min(k, 3);
      // Shadow's convention: name parts starting with ff, mf, rf, lf (first, middle, ring, little finger).
      const char* prefixes[] = {"ff", "mf", "rf", "lf"};
      std::string token;
      for (size_t i = 0; i <= n.size(); ++i) {
        const char ch = i < n.size() ? n[i] : ' ';
        if (std::isalpha(static_cast<unsigned char>(ch))) {
          token += ch;
          continue;
        }
        for (int k = 0; k < 4; ++k)
          if (token.size() > 2 && token.compare(0, 2, prefixes[k]) == 0) return k;
        token.clear();
      }
      return 4;
    };
    for (auto& c : rest) c.named = named_rank(c) < 4;
    std::stable_sort(rest.begin(), rest.end(), [&](const FingerChain& a, const FingerChain& b) {
      const int ra = named_rank(a), rb = named_rank(b);
      if (ra != rb) return ra < rb;
      return (base_pos(a) - tb).norm() < (base_pos(b) - tb).norm() - 1e-6;
    });
    for (auto& c : rest) ordered.push_back(std::move(c));
    s.chains = std::move(ordered);
    s.thumb = 0;
    const char* names[] = {"thumb", "index", "middle", "ring", "little"};
    for (size_t i = 0; i < s.chains.size(); ++i) s.chains[i].role = i < 5 ? names[i] : "finger" + std::to_string(i);
  } else {
    for (size_t i = 0; i < s.chains.size(); ++i) s.chains[i].role = "finger" + std::to_string(i + 1);
  }

  // Grasp centre: mean fingertip at the mid-range pose; approach axis: palm centre -> grasp centre.
  if (!s.chains.empty()) {
    HandData mid(model);
    fk_at(model, mid_range(model), mid);
    Vec3 g = Vec3::Zero();
    for (const auto& c : s.chains) g += mid.pose_base[c.tip] * model.links[c.tip].collision_box.center();
    s.grasp_center = g / static_cast<double>(s.chains.size());
  }
  const Vec3 d = s.grasp_center - s.palm_center;
  s.approach_axis = d.norm() > 1e-6 ? round_axis(d) : Vec3::UnitZ();
  int best_axis = 0;
  for (int k = 1; k < 3; ++k)
    if (std::abs(s.approach_axis[k]) < std::abs(s.approach_axis[best_axis]) - 1e-9) best_axis = k;
  const Vec3 e = Vec3::Unit(best_axis);
  s.up_axis = round_axis(e - e.dot(s.approach_axis) * s.approach_axis);
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Contact patches
// ---------------------------------------------------------------------------------------------------

namespace {

void subdivide(const Vec3& a, const Vec3& b, const Vec3& c, double max_edge, int depth,
               std::vector<std::array<Vec3, 3>>& out) {
  const double e = std::max({(a - b).norm(), (b - c).norm(), (c - a).norm()});
  if (e <= max_edge || depth >= 7) {
    out.push_back({a, b, c});
    return;
  }
  const Vec3 ab = 0.5 * (a + b), bc = 0.5 * (b + c), ca = 0.5 * (c + a);
  subdivide(a, ab, ca, max_edge, depth + 1, out);
  subdivide(ab, b, bc, max_edge, depth + 1, out);
  subdivide(ca, bc, c, max_edge, depth + 1, out);
  subdivide(ab, bc, ca, max_edge, depth + 1, out);
}

}  // namespace

std::vector<ContactPatch> palmar_contact_patches(const HandModel& model, const HandStructure& s,
                                                 const ContactPatchOptions& o) {
  std::vector<ContactPatch> out;
  HandData data(model);
  fk_at(model, model.default_joints(), data);
  const Vec3 approach = s.approach_axis.normalized();
  const Eigen::VectorXd dq = closing_motion(model, data, s);

  // The thumb faces the other fingers: its palmar direction points to the mean of their tips at the
  // mid-range pose (base frame = world here).
  std::set<int> thumb_links;
  Vec3 finger_target = Vec3::Zero();
  if (s.thumb >= 0 && s.chains.size() >= 3) {
    thumb_links.insert(s.chains[s.thumb].links.begin(), s.chains[s.thumb].links.end());
    HandData mid(model);
    fk_at(model, mid_range(model), mid);
    int n = 0;
    for (size_t i = 0; i < s.chains.size(); ++i)
      if (static_cast<int>(i) != s.thumb) {
        finger_target += mid.pose_base[s.chains[i].tip] * model.links[s.chains[i].tip].collision_box.center();
        ++n;
      }
    finger_target /= n;
  }
  std::set<int> tips, palm(s.palm.begin(), s.palm.end()), candidates;
  for (const auto& c : s.chains) {
    tips.insert(c.tip);
    for (int l : c.links)
      if (model.links[l].collision_sdf) candidates.insert(l);
  }
  if (o.palm) candidates.insert(palm.begin(), palm.end());

  for (int l : candidates) {
    const LinkModel& link = model.links[l];
    const LinkSolid solid(link.collision_mesh);
    const Mat3 R = data.rotation[l];
    const Vec3 P = data.position[l];
    std::vector<std::array<Vec3, 3>> kept, tris;
    const bool is_palm = palm.count(l) > 0;
    for (size_t f = 0; f < link.collision_mesh.faces.size(); ++f) {
      const auto& F = link.collision_mesh.faces[f];
      const Vec3 n_world = R * link.collision_mesh.face_normal(static_cast<int>(f));
      tris.clear();
      subdivide(link.collision_mesh.vertices[F[0]], link.collision_mesh.vertices[F[1]],
                link.collision_mesh.vertices[F[2]], o.max_edge, 0, tris);
      const size_t kept_before = kept.size();
      for (const auto& t : tris) {
        const Vec3 c = (t[0] + t[1] + t[2]) / 3.0;
        const Vec3 pw = R * c + P;
        Vec3 dir = approach;
        if (thumb_links.count(l)) {
          dir = (finger_target - pw).normalized();
        } else if (!is_palm) {
          const Vec3 v = point_jacobian(model, data, l, pw) * dq;
          if (v.norm() >= 0.002) dir = v.normalized();
        }
        if (n_world.dot(dir) <= (is_palm ? o.palm_cos_threshold : o.cos_threshold)) continue;
        if (solid.components() > 1 && solid.depth_excluding(c, solid.component_of_face(static_cast<int>(f))) > 1e-4)
          continue;  // buried inside another primitive of the same link
        bool occluded = false;
        for (size_t k = 0; k < model.links.size() && !occluded; ++k) {
          const LinkModel& other = model.links[k];
          if (static_cast<int>(k) == l || !other.collision_sdf) continue;
          const Vec3 bc = data.rotation[k] * other.bound_center + data.position[k];
          if ((pw - bc).norm() > other.bound_radius + o.occlusion_distance) continue;
          const Vec3 local = data.rotation[k].transpose() * (pw - data.position[k]);
          SdfResult r;
          if (other.collision_sdf->query_within(local, o.occlusion_distance, r) && r.distance < o.occlusion_distance)
            occluded = true;
        }
        if (!occluded) kept.push_back(t);
      }
      if (tris.size() > 1 && kept.size() - kept_before == tris.size()) {
        // The whole face is palmar: keep it as one triangle.
        kept.resize(kept_before);
        kept.push_back({link.collision_mesh.vertices[F[0]], link.collision_mesh.vertices[F[1]],
                        link.collision_mesh.vertices[F[2]]});
      }
    }
    ContactPatch patch;
    patch.link = l;
    patch.kind = tips.count(l) ? "tip" : is_palm ? "palm" : "link";
    patch.points = patch.kind == "tip" ? o.tip_points : patch.kind == "palm" ? o.palm_points : o.link_points;
    for (const auto& t : kept) {
      const int base = static_cast<int>(patch.mesh.vertices.size());
      for (const auto& v : t) patch.mesh.vertices.push_back(v);
      patch.mesh.faces.emplace_back(base, base + 1, base + 2);
    }
    weld_vertices(patch.mesh, 1e-9);
    patch.area = patch.mesh.surface_area();
    if (patch.area < o.min_area || patch.points <= 0) continue;
    out.push_back(std::move(patch));
  }
  std::sort(out.begin(), out.end(), [](const ContactPatch& a, const ContactPatch& b) { return a.link < b.link; });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Spheres
// ---------------------------------------------------------------------------------------------------

double sphere_coverage(const HandModel& model, int link, const std::vector<CollisionSphere>& spheres,
                       double tolerance, int samples, std::uint64_t seed) {
  if (link < 0 || link >= static_cast<int>(model.links.size()) || model.links[link].collision_mesh.empty()) return 0;
  const LinkSolid solid(model.links[link].collision_mesh);
  const auto pts = solid.outer_samples(samples, seed);
  if (pts.empty()) return 0;
  int covered = 0;
  for (const auto& [p, n] : pts)
    for (const auto& s : spheres)
      if (s.link == link && (p - s.center).norm() <= s.radius + tolerance) {
        ++covered;
        break;
      }
  return static_cast<double>(covered) / pts.size();
}

std::vector<LinkSpheres> fit_collision_spheres(const HandModel& model, const SphereFitOptions& o) {
  std::vector<LinkSpheres> out;
  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    if (link.collision_mesh.empty()) continue;
    const LinkSolid solid(link.collision_mesh);
    const auto samples = solid.outer_samples(o.samples, o.seed);
    if (samples.empty()) continue;
    const double extent = link.collision_box.sizes().maxCoeff();

    // Candidate centres: interior grid points and medial points.
    std::vector<std::pair<Vec3, double>> cands;  // centre, depth
    const double h = std::max(extent / 12.0, 5e-4);
    const Vec3 lo = link.collision_box.min();
    const Eigen::Vector3i cells = (link.collision_box.sizes() / h).array().ceil().cast<int>().cwiseMax(1);
    for (int i = 0; i < cells.x(); ++i)
      for (int j = 0; j < cells.y(); ++j)
        for (int k = 0; k < cells.z(); ++k) {
          const Vec3 p = lo + h * Vec3(i + 0.5, j + 0.5, k + 0.5);
          const double d = solid.depth(p);
          if (d > 2.5e-4) cands.emplace_back(p, d);
        }
    const double step = std::max(2e-4, extent / 400.0);
    const int stride = std::max<int>(1, static_cast<int>(samples.size()) / 200);
    for (size_t i = 0; i < samples.size(); i += stride) {
      const auto& [p, n] = samples[i];
      double best = 0, best_t = 0;
      for (double t = step; t <= extent; t += step) {
        const double d = solid.depth(p - t * n);
        if (d > best) {
          best = d;
          best_t = t;
        } else if (d < best - 2 * step || d < -step) {
          break;
        }
      }
      if (best > 2.5e-4) {
        cands.emplace_back(p - best_t * n, best);
        const Vec3 half = p - 0.5 * best_t * n;
        const double dh = solid.depth(half);
        if (dh > 2.5e-4) cands.emplace_back(half, dh);
      }
    }
    if (cands.empty()) continue;

    // Coverage bitsets.
    const size_t M = samples.size(), W = (M + 63) / 64;
    std::vector<std::vector<std::uint64_t>> cover(cands.size(), std::vector<std::uint64_t>(W, 0));
    for (size_t c = 0; c < cands.size(); ++c) {
      const double r = cands[c].second + o.margin + o.tolerance;
      for (size_t s = 0; s < M; ++s)
        if ((samples[s].first - cands[c].first).squaredNorm() <= r * r) cover[c][s / 64] |= std::uint64_t(1) << (s % 64);
    }
    std::vector<std::uint64_t> covered(W, 0);
    size_t n_covered = 0;
    LinkSpheres ls;
    ls.link = static_cast<int>(l);
    while (static_cast<int>(ls.spheres.size()) < o.max_spheres_per_link &&
           n_covered < static_cast<size_t>(o.target_coverage * M)) {
      size_t best_c = 0, best_gain = 0;
      for (size_t c = 0; c < cands.size(); ++c) {
        size_t gain = 0;
        for (size_t w = 0; w < W; ++w) gain += std::popcount(cover[c][w] & ~covered[w]);
        if (gain > best_gain) {
          best_gain = gain;
          best_c = c;
        }
      }
      if (best_gain == 0 || best_gain < 0.005 * M) break;
      for (size_t w = 0; w < W; ++w) covered[w] |= cover[best_c][w];
      n_covered += best_gain;
      CollisionSphere sp;
      sp.link = static_cast<int>(l);
      sp.center = cands[best_c].first;
      sp.radius = cands[best_c].second + o.margin;
      ls.spheres.push_back(sp);
    }
    if (!ls.spheres.empty()) out.push_back(std::move(ls));
  }

  if (o.resolve_default_pose) {
    // Spheres of non-adjacent links that overlap at the default pose are shrunk until they do not. Link pairs
    // whose spheres overlap at every sampled pose of the joint range are structural neighbours (e.g. the two
    // halves of a four-bar linkage, pinned together): their spheres are kept apart over the whole range too.
    struct Ref {
      size_t set, k;
    };
    std::vector<Ref> all;
    for (size_t i = 0; i < out.size(); ++i)
      for (size_t k = 0; k < out[i].spheres.size(); ++k) all.push_back({i, k});
    auto sphere = [&](const Ref& r) -> CollisionSphere& { return out[r.set].spheres[r.k]; };
    auto counted = [&](int a, int b) {
      return a != b && model.links[a].parent != b && model.links[b].parent != a;
    };
    std::vector<Eigen::VectorXd> poses{model.default_joints(), model.lower_limits(), model.upper_limits(),
                                       mid_range(model)};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> u(0, 1);
    for (int k = 0; k < 16; ++k) {
      Eigen::VectorXd q(model.dof());
      for (int j = 0; j < model.dof(); ++j)
        q[j] = model.joints[j].lower + u(rng) * (model.joints[j].upper - model.joints[j].lower);
      poses.push_back(q);
    }
    HandData data(model);
    // Link pairs overlapping at every pose (fitted radii).
    std::map<std::pair<int, int>, int> overlapping;
    for (const auto& q : poses) {
      fk_at(model, q, data);
      std::set<std::pair<int, int>> here;
      for (size_t a = 0; a < all.size(); ++a)
        for (size_t b = a + 1; b < all.size(); ++b) {
          const auto &sa = sphere(all[a]), &sb = sphere(all[b]);
          if (!counted(sa.link, sb.link)) continue;
          if ((data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm() < sa.radius + sb.radius)
            here.insert({std::min(sa.link, sb.link), std::max(sa.link, sb.link)});
        }
      for (const auto& p : here) ++overlapping[p];
    }
    std::set<std::pair<int, int>> structural;
    for (const auto& [p, n] : overlapping)
      if (n == static_cast<int>(poses.size())) structural.insert(p);
    auto resolve = [&](const Eigen::VectorXd& q, bool only_structural) {
      fk_at(model, q, data);
      for (int iter = 0; iter < 200; ++iter) {
        bool any = false;
        for (size_t a = 0; a < all.size(); ++a)
          for (size_t b = a + 1; b < all.size(); ++b) {
            auto& sa = sphere(all[a]);
            auto& sb = sphere(all[b]);
            if (!counted(sa.link, sb.link)) continue;
            if (only_structural && !structural.count({std::min(sa.link, sb.link), std::max(sa.link, sb.link)})) continue;
            if (sa.radius <= 0 || sb.radius <= 0) continue;
            const double dist = (data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm();
            const double overlap = sa.radius + sb.radius - dist;
            if (overlap <= 0) continue;
            any = true;
            sa.radius -= 0.5 * overlap + 1e-4;
            sb.radius -= 0.5 * overlap + 1e-4;
          }
        if (!any) break;
      }
    };
    resolve(model.default_joints(), false);
    if (!structural.empty()) {
      for (size_t k = 1; k < poses.size(); ++k) resolve(poses[k], true);
      resolve(model.default_joints(), false);
    }
  }
  for (auto& ls : out) {
    ls.spheres.erase(std::remove_if(ls.spheres.begin(), ls.spheres.end(),
                                    [&](const CollisionSphere& s) { return s.radius < o.min_radius; }),
                     ls.spheres.end());
    ls.coverage = sphere_coverage(model, ls.link, ls.spheres, o.tolerance);
    // Spheres squeezed to almost nothing by their neighbours do not represent the link: drop them.
    if (ls.coverage < 0.1) ls.spheres.clear();
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const LinkSpheres& s) { return s.spheres.empty(); }), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Simulation gains
// ---------------------------------------------------------------------------------------------------

namespace {

double round_up_2(double v) {  // two significant digits, upwards
  if (!(v > 0)) return v;
  const double e = std::pow(10.0, std::floor(std::log10(v)) - 1);
  return std::ceil(v / e - 1e-9) * e;
}

}  // namespace

json suggested_sim_gains(const HandModel& model) {
  std::map<std::string, double> masses = urdf::link_masses(model.urdf_path);
  for (auto& [name, m] : masses) m = std::clamp(m, 1e-4, 10.0);
  HandData data(model);
  fk_at(model, model.default_joints(), data);
  const double g = 9.81;
  double torque = 0, force = 0;
  for (const auto& a : model.joints) {
    double m = 0;
    Vec3 mc = Vec3::Zero();
    std::vector<int> stack{a.link};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      const LinkModel& link = model.links[l];
      auto it = masses.find(link.name);
      const double ml = it != masses.end() ? it->second : 0.05;
      const Vec3 c = link.collision_mesh.empty() ? Vec3(data.position[l]) : data.to_world(l, link.collision_box.center());
      m += ml;
      mc += ml * c;
      for (int ch : link.children) stack.push_back(ch);
    }
    if (a.type == JointType::Prismatic) {
      force = std::max(force, m * g);
    } else {
      const Vec3 r = mc / m - data.position[a.link];
      const Vec3 w = data.axis_world[a.link];
      torque = std::max(torque, m * g * (r - r.dot(w) * w).norm());
    }
  }
  json sim = {{"kp", round_up_2(std::max(10.0, torque / 0.01))}, {"force_limit", round_up_2(std::max(2.0, 3 * torque))}};
  bool prismatic = false;
  for (const auto& a : model.joints) prismatic = prismatic || a.type == JointType::Prismatic;
  if (prismatic)
    sim["prismatic"] = {{"kp", round_up_2(std::max(1000.0, force / 0.001))},
                        {"force_limit", round_up_2(std::max(50.0, 3 * force))}};
  sim["_comment"] = "Estimated by graspqp hand init from the URDF masses (holds the default pose within 0.01 rad "
                    "against gravity); tune for the real hand (docs/evaluation.md).";
  return sim;
}

// ---------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------

namespace {

std::string sanitize(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  return s.empty() ? "link" : s;
}

std::string dump(const ordered_json& j) { return j.dump(2) + "\n"; }

// One line per key (annotation files: {link: [[...], ...]}).
std::string dump_lines(const ordered_json& j) {
  std::string s = "{\n";
  size_t k = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++k) {
    std::string v = it.value().dump();
    std::string spaced;
    for (char c : v) spaced += c == ',' ? std::string(", ") : std::string(1, c);
    s += "  " + ordered_json(it.key()).dump() + ": " + spaced + (k + 1 < j.size() ? ",\n" : "\n");
  }
  return s + "}\n";
}

json axis_json(const Vec3& v) { return json::array({round_to(v.x(), 1e-4), round_to(v.y(), 1e-4), round_to(v.z(), 1e-4)}); }

std::string write_obj(const TriangleMesh& m, const std::string& comment) {
  std::ostringstream s;
  s << "# " << comment << "\n" << std::setprecision(7);
  for (const auto& v : m.vertices) s << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
  for (const auto& f : m.faces) s << "f " << f[0] + 1 << " " << f[1] + 1 << " " << f[2] + 1 << "\n";
  return s.str();
}

// Strips "package://<pkg>/" and resolves a URDF mesh reference against the URDF's folder.
fs::path resolve_urdf_mesh(const std::string& filename, const fs::path& urdf_dir, const fs::path& mesh_dir,
                           std::string& relative) {
  std::string f = filename;
  std::vector<std::string> variants;
  const std::string pkg = "package://", file = "file://";
  if (f.rfind(file, 0) == 0) f = f.substr(file.size());
  if (f.rfind(pkg, 0) == 0) {
    f = f.substr(pkg.size());
    const auto slash = f.find('/');
    if (slash != std::string::npos) variants.push_back(f.substr(slash + 1));
    variants.push_back(f);
  } else {
    variants.push_back(f);
  }
  std::error_code ec;
  for (const fs::path& base : {urdf_dir, mesh_dir}) {
    if (base.empty()) continue;
    for (const auto& v : variants) {
      const fs::path p = fs::path(v).is_absolute() ? fs::path(v) : base / v;
      if (fs::is_regular_file(p, ec)) {
        relative = v;
        return p;
      }
    }
  }
  // Search parent folders for package-relative paths (a package's root above the URDF).
  for (fs::path dir = urdf_dir; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
    for (const auto& v : variants)
      if (fs::is_regular_file(dir / v, ec)) {
        relative = variants.front();
        return dir / v;
      }
  // Last resort: a file below the URDF's folder whose path ends with the reference (sorted, first match).
  std::vector<fs::path> found;
  for (auto it = fs::recursive_directory_iterator(urdf_dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 5) it.disable_recursion_pending();
    if (!it->is_regular_file(ec)) continue;
    const std::string p = it->path().generic_string();
    for (const auto& v : variants)
      if (p.size() > v.size() && p.compare(p.size() - v.size(), v.size(), v) == 0 && p[p.size() - v.size() - 1] == '/')
        found.push_back(it->path());
  }
  if (found.empty()) {
    // As the loader: the same file name in the mesh folder or below the URDF's folder.
    const std::string name = fs::path(variants.front()).filename().string();
    if (!mesh_dir.empty() && fs::is_regular_file(mesh_dir / name, ec)) found.push_back(mesh_dir / name);
    for (auto it = fs::recursive_directory_iterator(urdf_dir, fs::directory_options::skip_permission_denied, ec);
         found.empty() && !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() > 5) it.disable_recursion_pending();
      if (it->is_regular_file(ec) && it->path().filename() == name) found.push_back(it->path());
    }
  }
  if (!found.empty()) {
    std::sort(found.begin(), found.end());
    relative = variants.front();
    return found.front();
  }
  return {};
}

bool clean_relative(const std::string& rel) {
  const fs::path p(rel);
  if (p.is_absolute() || rel.empty()) return false;
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

// Copies the URDF and every mesh it references into `out`; returns the URDF's file name there.
std::string copy_urdf(const fs::path& urdf, const fs::path& mesh_dir, const fs::path& out, std::vector<std::string>& files,
                      std::vector<std::string>& notes) {
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(urdf.string().c_str()) != tinyxml2::XML_SUCCESS)
    throw Error(urdf.string() + ": cannot be parsed as XML (" + std::string(doc.ErrorStr()) + ")");
  bool rewritten = false;
  std::set<std::string> copied;
  std::function<void(tinyxml2::XMLElement*)> visit = [&](tinyxml2::XMLElement* e) {
    for (; e; e = e->NextSiblingElement()) {
      if (std::string(e->Name()) == "mesh" && e->Attribute("filename")) {
        const std::string original = e->Attribute("filename");
        std::string rel;
        const fs::path src = resolve_urdf_mesh(original, urdf.parent_path(), mesh_dir, rel);
        if (src.empty()) {
          if (copied.insert("missing:" + original).second)
            notes.push_back("mesh '" + original + "' referenced by the URDF was not found; not copied");
        } else {
          std::string dst_rel = rel;
          if (!clean_relative(rel)) dst_rel = "meshes/" + src.filename().string();
          if (dst_rel != original) {
            e->SetAttribute("filename", dst_rel.c_str());
            rewritten = true;
          }
          if (copied.insert(dst_rel).second) {
            const fs::path dst = out / dst_rel;
            fs::create_directories(dst.parent_path());
            std::error_code ec;
            if (!fs::equivalent(src, dst, ec)) fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
            files.push_back(dst_rel);
          }
        }
      }
      visit(e->FirstChildElement());
    }
  };
  visit(doc.RootElement());
  const std::string name = urdf.filename().string();
  const fs::path dst = out / name;
  std::error_code ec;
  if (rewritten) {
    tinyxml2::XMLPrinter printer;
    doc.Print(&printer);
    write_text_atomically(dst, printer.CStr());
  } else if (!fs::equivalent(urdf, dst, ec)) {
    fs::copy_file(urdf, dst, fs::copy_options::overwrite_existing);
  }
  files.push_back(name);
  return name;
}

void backup_once(const fs::path& file, HandInitReport& report) {
  if (!fs::exists(file)) return;
  fs::path orig = file;
  orig.replace_extension(".orig.json");
  if (fs::exists(orig)) return;
  fs::copy_file(file, orig);
  report.backups.push_back(orig.filename().string());
}

}  // namespace

HandInitReport init_hand(const HandInitOptions& o) {
  HandInitReport report;
  const bool in_place = o.urdf.empty();
  if (in_place && o.hand.empty()) throw Error("hand init: give --urdf PATH --out DIR, or --hand NAME|DIR to update a hand");
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
    if (!o.copy && !o.mesh_dir.empty()) config["mesh_dir"] = fs::relative(fs::absolute(o.mesh_dir), dir).generic_string();
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
    if (in_place && want("spheres")) regenerated.push_back(config.value("penetration_points", std::string("penetration_points.json")));
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
      auto it = std::find_if(model.joints.begin(), model.joints.end(), [&](const ActuatedJoint& a) { return a.name == jn; });
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
  if (want("contacts")) {
    fs::create_directories(dir / "contacts");
    ordered_json cp = ordered_json::object();
    for (const auto& p : report.patches) {
      const LinkModel& link = model.links[p.link];
      const Eigen::Affine3d inv = link.annotation_frame.inverse();
      TriangleMesh m = p.mesh;
      for (auto& v : m.vertices) v = inv * v;
      const std::string rel = "contacts/" + sanitize(link.name) + ".obj";
      write_text_atomically(dir / rel, write_obj(m, "graspqp hand init: palmar contact patch of link '" + link.name +
                                                        "' (frame of the link's last collision geometry)"));
      report.files.push_back(rel);
      cp[link.name] = ordered_json::array({ordered_json::array({rel, p.points})});
    }
    if (in_place) {
      backup_once(dir / contacts_name, report);
      backup_once(dir / types_name, report);
    }
    write_text_atomically(dir / contacts_name, dump_lines(cp));
    report.files.push_back(contacts_name);
    ordered_json types = ordered_json::object();
    for (const std::string tn : {"full", "precision", "pinch"}) {
      auto it = report.grasp_types.find(tn);
      if (it == report.grasp_types.end()) continue;
      ordered_json t = ordered_json::object();
      // Links in tree order.
      for (size_t l = 0; l < model.links.size(); ++l) {
        auto jt = it->second.find(model.links[l].name);
        if (jt != it->second.end()) t[jt->first] = {{"n_points", jt->second}};
      }
      types[tn] = t;
    }
    write_text_atomically(dir / types_name, dump(types));
    report.files.push_back(types_name);
  }
  if (want("spheres")) {
    ordered_json sp = ordered_json::object();
    for (const auto& ls : report.spheres) {
      const LinkModel& link = model.links[ls.link];
      const Eigen::Affine3d inv = link.annotation_frame.inverse();
      ordered_json arr = ordered_json::array();
      for (const auto& s : ls.spheres) {
        const Vec3 c = inv * s.center;
        arr.push_back({round_to(c.x(), 1e-6), round_to(c.y(), 1e-6), round_to(c.z(), 1e-6), round_to(s.radius, 1e-6)});
      }
      sp[link.name] = arr;
    }
    if (in_place) backup_once(dir / spheres_name, report);
    write_text_atomically(dir / spheres_name, dump_lines(sp));
    report.files.push_back(spheres_name);
  }
  if (set_pose) {
    ordered_json pose = ordered_json::object();
    for (int j = 0; j < model.dof(); ++j) pose[model.joints[j].name] = round_to(model.joints[j].default_value, 1e-4);
    if (in_place) {
      // Only these keys change; everything else in hand.json is kept as it is.
      config["approach_axis"] = axis_json(st.approach_axis);
      config["up_axis"] = axis_json(st.up_axis);
      config["default_pose"] = pose;
      if (!report.grasp_type_init.empty() && !config.contains("grasp_type_init"))
        report.notes.push_back("suggested hand.json \"grasp_type_init\" (not written in place): " +
                               report.grasp_type_init.dump());
    } else {
      ordered_json out;
      out["name"] = config["name"];
      out["urdf"] = config["urdf"];
      if (config.contains("mesh_dir")) out["mesh_dir"] = config["mesh_dir"];
      if (config.contains("visual_as_collision")) out["visual_as_collision"] = config["visual_as_collision"];
      out["approach_axis"] = axis_json(st.approach_axis);
      out["up_axis"] = axis_json(st.up_axis);
      out["default_pose"] = pose;
      if (!report.grasp_type_init.empty()) out["grasp_type_init"] = ordered_json::parse(report.grasp_type_init.dump());
      out["contact_points"] = contacts_name;
      out["penetration_points"] = spheres_name;
      out["grasp_types"] = types_name;
      out["sim"] = ordered_json::parse(suggested_sim_gains(model).dump());
      out["_comment"] = "Written by graspqp hand init (docs/adding_a_hand.md); every value may be edited.";
      config = out;
    }
    write_text_atomically(dir / "hand.json", dump(config));
    report.files.push_back("hand.json");
  } else if (!in_place) {
    write_text_atomically(dir / "hand.json", dump(config));
  }
  return report;
}

// ---------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------

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
  auto name = [&](int l) { return l >= 0 && l < static_cast<int>(link_names.size()) ? link_names[l] : std::string("-"); };
  s << "hand folder: " << directory.string() << "\n";
  s << "palm: " << name(structure.palm_main) << " (" << structure.palm.size() << " rigid link(s))\n";
  for (const auto& c : structure.chains) s << "  chain " << std::left << std::setw(8) << c.role << " " << name(c.base)
                                           << " -> " << name(c.tip) << " (" << c.links.size() << " links)\n";
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
        << std::setprecision(1) << 100 * ls.coverage << " %\n" << std::setprecision(4);
  }
  for (const auto& f : files) s << "wrote " << f << "\n";
  for (const auto& b : backups) s << "kept the previous file as " << b << "\n";
  for (const auto& n : notes) s << "note: " << n << "\n";
  return s.str();
}

}  // namespace graspqp
