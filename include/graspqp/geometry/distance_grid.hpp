#pragma once
// Coarse signed-distance grid over a mesh's bounding box (plus a margin): exact signed distances at the
// grid corners, trilinear in between. Its use is culling, not measuring: the signed distance is
// 1-Lipschitz, so the interpolated value differs from the exact one by at most the cell diagonal
// (`error_bound()`), and a point whose estimate exceeds that bound is certainly outside.
#include <graspqp/geometry/signed_distance.hpp>

#include <vector>

namespace graspqp {

class DistanceGrid {
 public:
  // `cells` along the longest side of the box (>= 2); the box is the mesh's bounds grown by `margin`.
  DistanceGrid(const SignedDistanceField& sdf, int cells, double margin);

  // Trilinear estimate of the signed distance; +infinity outside the grid's box (certainly outside).
  double estimate(const Vec3& p) const;
  // |estimate - exact| <= error_bound() inside the grid's box.
  double error_bound() const { return error_bound_; }
  // True when p may lie inside the surface or within `band` of it (false: certainly farther outside).
  // One lookup: the nearest corner's value is within half a cell diagonal of the exact distance.
  // `band` must not exceed the margin the grid was built with.
  bool may_be_within(const Vec3& p, double band) const;

 private:
  Vec3 origin_ = Vec3::Zero();
  double cell_ = 1, error_bound_ = 0, corner_bound_ = 0;
  Eigen::Vector3i dims_ = Eigen::Vector3i::Ones();  // corners per axis
  std::vector<float> values_;                       // corner values, x fastest
};

}  // namespace graspqp
