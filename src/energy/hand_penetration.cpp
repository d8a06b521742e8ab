#include <graspqp/energy/hand_penetration.hpp>

namespace graspqp {

double hand_penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                               double gradient_weight, const NearSets* near) {
  double energy = 0;
  auto visit = [&](const SurfacePoint& s) {
    const Vec3 p = data.to_world(s.link, s.position);
    if (object.coarse_sdf && !object.coarse_sdf->may_be_within(p, 0.0)) return;
    const SdfResult r = object.sdf->query(p);
    if (r.distance >= 0) return;
    energy -= r.distance;
    if (gradient_weight != 0) add_point_gradient(data, s.link, p, -gradient_weight * r.normal);
  };
  if (near) {  // links in order, each its remembered points (its range, ascending): the same order
    for (const NearSets::Link& l : near->links)
      for (int j : l.hand_points) visit(model.surface_points[j]);
    return energy;
  }
  for (const SurfacePoint& s : model.surface_points) visit(s);
  return energy;
}

}  // namespace graspqp
