#include <graspqp/energy/contact_distance.hpp>

#include <cmath>

namespace graspqp {

double contact_distance_energy(std::span<const SdfResult> object, std::span<const Vec3> hand_normals,
                               std::span<Vec3> dE_dp, std::span<Vec3> dE_dnu) {
  double E = 0;
  for (size_t i = 0; i < object.size(); ++i) {
    const SdfResult& r = object[i];
    const double abs_d = std::sqrt(r.distance * r.distance + kContactDistanceEps2);
    const double w = std::exp(1.0 + r.normal.dot(hand_normals[i]));
    E += w * abs_d;
    // d/dp of |d|_s is (d/|d|_s) n; d/dp of w is w J_n^T nu.
    dE_dp[i] = w * (r.distance / abs_d) * r.normal + abs_d * w * normal_jacobian(r).transpose() * hand_normals[i];
    dE_dnu[i] = abs_d * w * r.normal;
  }
  return E;
}

}  // namespace graspqp
