#include <graspqp/energy/hand_penetration.hpp>

namespace graspqp {

double hand_penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                               double gradient_weight, NearSets* near) {
  double energy = 0;
  // face: the remembered closest object face to this point (a search hint), or null.
  auto visit = [&](const SurfacePoint& s, int* face) {
    const Vec3 p = data.to_world(s.link, s.position);
    if (object.coarse_sdf && !object.coarse_sdf->may_be_within(p, 0.0)) return;
    const SdfResult r = face ? object.sdf->query(p, *face) : object.sdf->query(p);
    if (face) *face = r.face;
    if (r.distance >= 0) return;
    energy -= r.distance;
    if (gradient_weight != 0) add_point_gradient(data, s.link, p, -gradient_weight * r.normal);
  };
  if (near) {  // links in order, each its remembered points (its range, ascending): the same order
    for (NearSets::Link& l : near->links)
      for (size_t j = 0; j < l.hand_points.size(); ++j)
        visit(model.surface_points[l.hand_points[j]], &l.hand_point_faces[j]);
    return energy;
  }
  for (const SurfacePoint& s : model.surface_points) visit(s, nullptr);
  return energy;
}

}  // namespace graspqp
