#include <graspqp/error.hpp>
#include <graspqp/geometry/distance_grid.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace graspqp {

DistanceGrid::DistanceGrid(const SignedDistanceField& sdf, int cells, double margin) {
  if (cells < 2) throw Error("DistanceGrid: at least 2 cells are needed");
  const Eigen::AlignedBox3d box = sdf.mesh().bounding_box();
  const Vec3 lo = box.min() - Vec3::Constant(margin), hi = box.max() + Vec3::Constant(margin);
  cell_ = (hi - lo).maxCoeff() / cells;
  origin_ = lo;
  for (int k = 0; k < 3; ++k) dims_[k] = static_cast<int>(std::ceil((hi[k] - lo[k]) / cell_)) + 1;
  values_.resize(static_cast<size_t>(dims_.prod()));
  for (int z = 0; z < dims_.z(); ++z)
    for (int y = 0; y < dims_.y(); ++y)
      for (int x = 0; x < dims_.x(); ++x)
        values_[(static_cast<size_t>(z) * dims_.y() + y) * dims_.x() + x] =
            static_cast<float>(sdf.query(origin_ + cell_ * Vec3(x, y, z)).distance);
  // A point is at most half a cell diagonal from its nearest corner, and the distance is 1-Lipschitz;
  // float rounding of the corner values adds a relative 1e-7.
  error_bound_ = 0.5 * std::sqrt(3.0) * cell_ * (1 + 1e-6) + 1e-6 * (hi - lo).norm();
}

double DistanceGrid::estimate(const Vec3& p) const {
  const Vec3 u = (p - origin_) / cell_;
  int i[3];
  for (int k = 0; k < 3; ++k) {
    if (!(u[k] >= 0) || u[k] > dims_[k] - 1) return std::numeric_limits<double>::infinity();
    i[k] = std::min(static_cast<int>(u[k] + 0.5), dims_[k] - 1);
  }
  return values_[(static_cast<size_t>(i[2]) * dims_.y() + i[1]) * dims_.x() + i[0]];
}

}  // namespace graspqp
