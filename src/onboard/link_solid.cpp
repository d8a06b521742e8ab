// LinkSolid: a link's collision mesh as the union of its connected components (depth, distance, outer
// samples, winding number), used by the contact patches, the sphere fit and `hand check`.
#include <graspqp/geometry/orientation.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/onboard/link_solid.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace graspqp {

namespace {

// Triangle solid angle (Van Oosterom & Strackee), for the generalized winding number.
double solid_angle(const Vec3& a, const Vec3& b, const Vec3& c) {
  const double la = a.norm(), lb = b.norm(), lc = c.norm();
  const double num = a.dot(b.cross(c));
  const double den = la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb;
  return 2.0 * std::atan2(num, den);
}

}  // namespace

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

}  // namespace graspqp
