// Step 2 of `graspqp hand init`: palmar contact patches, the faces of finger and palm links that face
// the object as the hand closes, not buried in another primitive and not occluded by another link.
#include <graspqp/onboard/contact_patches.hpp>
#include <graspqp/onboard/link_solid.hpp>

#include <algorithm>
#include <array>
#include <set>

#include "internal.hpp"

namespace graspqp {

using onboard_detail::fk_at;
using onboard_detail::mid_range;

namespace {

// Splits a triangle into four until its longest edge is at most max_edge (at most 7 levels).
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

}  // namespace graspqp
