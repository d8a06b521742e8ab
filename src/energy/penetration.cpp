#include <graspqp/energy/penetration.hpp>

namespace graspqp {

namespace {

// p beyond one of the hull's half-spaces by more than rounding (LinkModel::collision_hull): outside the link.
bool outside_hull(const Eigen::Matrix<double, Eigen::Dynamic, 4, Eigen::RowMajor>& planes, const Vec3& p) {
  for (Eigen::Index i = 0; i < planes.rows(); ++i)
    if (planes(i, 0) * p.x() + planes(i, 1) * p.y() + planes(i, 2) * p.z() > planes(i, 3) + 1e-9) return true;
  return false;
}

}  // namespace

PenetrationResult penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                                     PenetrationWorkspace& ws, double gradient_weight, NearSets* near) {
  const size_t n = object.surface_points.size();
  if (ws.depth.size() != n) {
    ws.depth.assign(n, 0.0);
    ws.link.assign(n, -1);
    ws.normal.assign(n, Vec3::Zero());
    ws.touched.clear();
  }
  for (int k : ws.touched) ws.depth[k] = 0.0;
  ws.touched.clear();

  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    if (!link.collision_sdf) continue;
    const Mat3& R = data.rotation[l];
    const Vec3& pos = data.position[l];
    // face: the remembered closest face of the link to this sample (a search hint), or null.
    auto visit = [&](int k, int* face) {
      const Vec3& o = object.surface_points[k];
      const Vec3 local = R.transpose() * (o - pos);
      if (!link.collision_box.contains(local)) return;
      if (link.collision_grid && !link.collision_grid->may_be_within(local, 0.0)) return;  // certainly outside
      if (outside_hull(link.collision_hull, local)) return;                                // outside too
      const SdfResult r = face ? link.collision_sdf->query(local, *face) : link.collision_sdf->query(local);
      if (face) *face = r.face;
      if (r.distance >= 0 || -r.distance <= ws.depth[k]) return;
      if (ws.depth[k] == 0.0) ws.touched.push_back(k);
      ws.depth[k] = -r.distance;
      ws.link[k] = static_cast<int>(l);
      ws.normal[k] = R * r.normal;
    };
    if (near) {  // the samples remembered near this link (a superset, in the grid's order)
      NearSets::Link& remembered = near->links[l];
      for (size_t j = 0; j < remembered.object_samples.size(); ++j)
        visit(remembered.object_samples[j], &remembered.object_sample_faces[j]);
      continue;
    }
    // Cell spheres against the link's box, in the link frame.
    auto overlaps = [&](const Vec3& c, double r) {
      return link.collision_box.exteriorDistance(R.transpose() * (c - pos)) <= r;
    };
    const PointGrid& grid = object.surface_grid;
    grid.for_each_cell(overlaps, [&](const PointGrid::Cell& cell) {
      for (int j = cell.begin; j < cell.end; ++j) visit(grid.index[j], nullptr);
    });
  }

  PenetrationResult result;
  for (int k : ws.touched) {
    result.energy += ws.depth[k];
    result.max_depth = std::max(result.max_depth, ws.depth[k]);
    // Moving the link along its outward normal at o deepens the penetration by the same amount.
    if (gradient_weight != 0)
      add_point_gradient(data, ws.link[k], object.surface_points[k], gradient_weight * ws.normal[k]);
  }
  result.points_inside = static_cast<int>(ws.touched.size());
  return result;
}

}  // namespace graspqp
