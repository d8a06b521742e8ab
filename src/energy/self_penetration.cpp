#include <graspqp/energy/self_penetration.hpp>

namespace graspqp {

double self_penetration_energy(const HandModel& model, HandData& data, const SelfPenetrationOptions& options,
                               double gradient_weight) {
  const auto& spheres = model.spheres;
  double E = 0;
  for (size_t a = 0; a < spheres.size(); ++a) {
    const CollisionSphere& sa = spheres[a];
    const Vec3 ca = data.to_world(sa.link, sa.center);
    for (size_t b = a + 1; b < spheres.size(); ++b) {
      const CollisionSphere& sb = spheres[b];
      if (sa.link == sb.link) continue;
      if (options.skip_adjacent_links &&
          (model.links[sa.link].parent == sb.link || model.links[sb.link].parent == sa.link))
        continue;
      const Vec3 cb = data.to_world(sb.link, sb.center);
      const Vec3 diff = ca - cb;
      const double dist = diff.norm();
      const double overlap = sa.radius + sb.radius - dist;
      if (overlap <= 0) continue;
      E += overlap;
      if (gradient_weight != 0 && dist > 1e-12) {
        const Vec3 u = gradient_weight * diff / dist;  // weight * d(dist)/d(ca)
        add_point_gradient(data, sa.link, ca, -u);
        add_point_gradient(data, sb.link, cb, u);
      }
    }
  }
  return E;
}

}  // namespace graspqp
