#include <graspqp/check.hpp>
#include <graspqp/energy/near_sets.hpp>

#include <cmath>

namespace graspqp {

namespace {

void size_for(const HandModel& model, NearSets& near) {
  const size_t L = model.links.size();
  near.links.assign(L, {});
  near.centres.assign(L, Vec3::Zero());
  near.radii.assign(L, 0.0);
  near.link_points.assign(L, {});
  near.hand_points_by_link = true;
  for (size_t j = 0; j < model.surface_points.size(); ++j) {
    const SurfacePoint& s = model.surface_points[j];
    GRASPQP_CHECK(s.link >= 0 && static_cast<size_t>(s.link) < L, "surface point on an unknown link");
    if (j > 0 && s.link < model.surface_points[j - 1].link) near.hand_points_by_link = false;
    near.link_points[s.link].push_back(static_cast<int>(j));
  }
  for (size_t l = 0; l < L; ++l) {
    const LinkModel& link = model.links[l];
    Vec3 c = Vec3::Zero();
    double r = 0;
    if (!link.collision_box.isEmpty()) {
      c = link.collision_box.center();
      r = 0.5 * link.collision_box.diagonal().norm();
    }
    for (int j : near.link_points[l]) r = std::max(r, (model.surface_points[j].position - c).norm());
    near.centres[l] = c;
    near.radii[l] = r;
  }
}

// Upper bound on how far any point within radius r of centre c (link frame) has moved between the two
// poses: |(R1 - R0) c + t1 - t0| + ||R1 - R0||_F r (the Frobenius norm bounds the spectral one).
double motion_bound(const Mat3& R0, const Vec3& t0, const Mat3& R1, const Vec3& t1, const Vec3& c, double r) {
  const Mat3 dR = R1 - R0;
  return (dR * c + (t1 - t0)).norm() + dR.norm() * r;
}

void search(const HandModel& model, const HandData& data, const ObjectModel& object, NearSets& near, size_t l) {
  NearSets::Link& s = near.links[l];
  const LinkModel& link = model.links[l];
  const Mat3& R = data.rotation[l];
  const Vec3& pos = data.position[l];
  s.rotation = R;
  s.position = pos;
  s.object_samples.clear();
  s.hand_points.clear();
  // E_pen: object samples within slack of the link's box, visiting cells in the grid's order.
  if (link.collision_sdf) {
    const double slack = near.slack;
    auto overlaps = [&](const Vec3& c, double r) {
      return link.collision_box.exteriorDistance(R.transpose() * (c - pos)) <= r + slack;
    };
    const PointGrid& grid = object.surface_grid;
    grid.for_each_cell(overlaps, [&](const PointGrid::Cell& cell) {
      for (int j = cell.begin; j < cell.end; ++j) {
        const int k = grid.index[j];
        const Vec3 local = R.transpose() * (object.surface_points[k] - pos);
        if (link.collision_box.exteriorDistance(local) <= slack) s.object_samples.push_back(k);
      }
    });
  }
  // E_hpen: the link's surface points that may lie within slack of the object.
  for (int j : near.link_points[l]) {
    const Vec3 p = data.to_world(static_cast<int>(l), model.surface_points[j].position);
    if (!object.coarse_sdf || object.coarse_sdf->may_be_within(p, near.slack)) s.hand_points.push_back(j);
  }
  s.valid = true;
}

}  // namespace

void update_near_sets(const HandModel& model, const HandData& data, const ObjectModel& object, NearSets& near) {
  if (near.links.size() != model.links.size()) size_for(model, near);
  GRASPQP_CHECK(data.rotation.size() == model.links.size(), "hand data built for another model");
  GRASPQP_CHECK(near.slack > 0 && near.slack <= 0.01, "NearSets::slack outside (0, 1 cm]");
  for (size_t l = 0; l < model.links.size(); ++l) {
    NearSets::Link& s = near.links[l];
    if (s.valid && motion_bound(s.rotation, s.position, data.rotation[l], data.position[l], near.centres[l],
                                near.radii[l]) < near.slack) {
      ++near.reuses;
      continue;
    }
    ++near.searches;
    search(model, data, object, near, l);
  }
}

}  // namespace graspqp
