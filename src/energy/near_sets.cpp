#include <graspqp/check.hpp>
#include <graspqp/energy/near_sets.hpp>

#include <cmath>

namespace graspqp {

namespace {

// Sizes `near` for the model and checks what the sets rely on: each link's surface points are the
// range [surface_begin, surface_end) of HandModel::surface_points, the ranges in link order.
void size_for(const HandModel& model, NearSets& near) {
  near.links.assign(model.links.size(), {});
  int next = 0;
  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    GRASPQP_CHECK(link.surface_begin == next && link.surface_end >= next, "surface point ranges out of link order");
    for (int j = link.surface_begin; j < link.surface_end; ++j)
      GRASPQP_CHECK(model.surface_points[j].link == static_cast<int>(l), "surface point outside its link's range");
    next = link.surface_end;
  }
  GRASPQP_CHECK(next == static_cast<int>(model.surface_points.size()), "surface points outside every link's range");
}

// Upper bound on how far any point within radius r of centre c (link frame) has moved between the two
// poses: |(R1 - R0) c + t1 - t0| + ||R1 - R0||_F r (the Frobenius norm bounds the spectral one). With the
// link's bounding sphere it bounds every point that matters: surface points lie on the collision mesh, and
// an object sample counts for E_pen only inside it.
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
  for (int j = link.surface_begin; j < link.surface_end; ++j) {
    const Vec3 p = data.to_world(static_cast<int>(l), model.surface_points[j].position);
    if (!object.coarse_sdf || object.coarse_sdf->may_be_within(p, near.slack)) s.hand_points.push_back(j);
  }
  s.object_sample_faces.assign(s.object_samples.size(), -1);
  s.hand_point_faces.assign(s.hand_points.size(), -1);
  s.valid = true;
}

}  // namespace

void update_near_sets(const HandModel& model, const HandData& data, const ObjectModel& object, NearSets& near) {
  if (near.links.size() != model.links.size()) size_for(model, near);
  GRASPQP_CHECK(data.rotation.size() == model.links.size(), "hand data built for another model");
  GRASPQP_CHECK(near.slack > 0 && near.slack <= 0.01, "NearSets::slack outside (0, 1 cm]");
  for (size_t l = 0; l < model.links.size(); ++l) {
    NearSets::Link& s = near.links[l];
    const LinkModel& link = model.links[l];
    if (s.valid && motion_bound(s.rotation, s.position, data.rotation[l], data.position[l], link.bound_center,
                                link.bound_radius) < near.slack) {
      ++near.reuses;
      continue;
    }
    ++near.searches;
    search(model, data, object, near, l);
  }
}

}  // namespace graspqp
