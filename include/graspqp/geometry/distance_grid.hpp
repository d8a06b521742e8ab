#pragma once
// Coarse signed-distance grid over a mesh's bounding box (plus a margin): exact signed distances at the
// grid corners. Its use is culling, not measuring: the signed distance is 1-Lipschitz, so the value of
// the corner nearest to a point differs from the point's exact distance by at most half a cell diagonal
// (`error_bound()`), and a point whose estimate exceeds that bound is certainly outside.
#include <graspqp/geometry/signed_distance.hpp>

#include <vector>

namespace graspqp {

class DistanceGrid {
 public:
  // `cells` along the longest side of the box (>= 2); the box is the mesh's bounds grown by `margin`.
  DistanceGrid(const SignedDistanceField& sdf, int cells, double margin);

  // The nearest corner's signed distance (one lookup); +infinity outside the grid's box (certainly
  // outside).
  double estimate(const Vec3& p) const;
  // |estimate - exact| <= error_bound() inside the grid's box.
  double error_bound() const { return error_bound_; }
  // True when p may lie inside the surface or within `band` of it (false: certainly farther outside).
  // `band` must not exceed the margin the grid was built with.
  bool may_be_within(const Vec3& p, double band) const { return estimate(p) <= band + error_bound_; }

 private:
  Vec3 origin_ = Vec3::Zero();
  double cell_ = 1, error_bound_ = 0;
  Eigen::Vector3i dims_ = Eigen::Vector3i::Ones();  // corners per axis
  std::vector<float> values_;                       // corner values, x fastest
};

}  // namespace graspqp
