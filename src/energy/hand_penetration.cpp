#include <graspqp/energy/hand_penetration.hpp>

namespace graspqp {

double hand_penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                               double gradient_weight) {
  double energy = 0;
  for (const SurfacePoint& s : model.surface_points) {
    const Vec3 p = data.to_world(s.link, s.position);
    if (object.coarse_sdf && !object.coarse_sdf->may_be_within(p, 0.0)) continue;
    const SdfResult r = object.sdf->query(p);
    if (r.distance >= 0) continue;
    energy -= r.distance;
    if (gradient_weight != 0) add_point_gradient(data, s.link, p, -gradient_weight * r.normal);
  }
  return energy;
}

}  // namespace graspqp
