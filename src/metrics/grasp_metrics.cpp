#include <graspqp/geometry/sampling.hpp>
#include <graspqp/metrics/grasp_metrics.hpp>
#include <graspqp/ranges.hpp>

namespace graspqp {

void validate_metrics_options(const GraspMetricsOptions& o) {
  require_range("--contact-threshold", o.contact_threshold, 0, 0.1, " m");
  require_positive("--friction (Q1)", o.q1.friction, 10);
  require_range("Q1 cone edges", o.q1.cone_edges, 3, 64);
  require_range("dense samples", o.dense_samples, 1, 1e7);
}

DenseObjectSample dense_object_sample(const ObjectModel& object, const GraspMetricsOptions& options) {
  DenseObjectSample d;
  for (const auto& s : sample_surface(object.mesh, options.dense_samples, options.seed)) d.points.push_back(s.position);
  d.grid.build(d.points, std::max(0.005, object.mesh.bounding_box().sizes().maxCoeff() / 24));
  return d;
}

GraspMetrics grasp_metrics(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                           const DenseObjectSample& dense, const Eigen::VectorXd& x, std::span<const int> contacts,
                           const GraspMetricsOptions& options) {
  GraspMetrics m;
  HandData data(hand);
  forward_kinematics(hand, x, data);

  // Contacts.
  ContactArray near_points(0, 3), near_normals(0, 3);
  for (int idx : contacts) {
    const ContactCandidate& c = grasp_type.candidates.at(idx);
    const Vec3 p = data.to_world(c.link, c.position);
    const SdfResult r = object.sdf->query(p);
    m.contact_distance.push_back(std::abs(r.distance));
    if (std::abs(r.distance) <= options.contact_threshold) {
      near_points.conservativeResize(near_points.rows() + 1, 3);
      near_normals.conservativeResize(near_normals.rows() + 1, 3);
      near_points.row(near_points.rows() - 1) = p.transpose();
      near_normals.row(near_normals.rows() - 1) = r.normal.transpose();
    }
  }
  m.contacts_used_for_q1 = static_cast<int>(near_points.rows());
  if (near_points.rows() > 0)
    m.q1 = ferrari_canny_q1(options.q1, near_points, near_normals, object.center, object.radius);

  const Eigen::AlignedBox3d object_box = object.mesh.bounding_box();
  // Dense object samples inside hand links (exact SDF for every sample in a link's bounding box).
  for (size_t l = 0; l < hand.links.size(); ++l) {
    const LinkModel& link = hand.links[l];
    if (!link.collision_sdf) continue;
    const Vec3 centre = data.to_world(static_cast<int>(l), link.bound_center);
    dense.grid.for_each_near(centre, link.bound_radius, [&](int k) {
      const Vec3 local = data.rotation[l].transpose() * (dense.points[k] - data.position[l]);
      if (!link.collision_box.contains(local)) return;
      const double d = link.collision_sdf->query(local).distance;
      m.object_in_hand_depth = std::max(m.object_in_hand_depth, -d);
    });
    // Hand mesh vertices inside the object.
    for (const Vec3& v : link.collision_mesh.vertices) {
      const Vec3 w = data.to_world(static_cast<int>(l), v);
      if (object_box.exteriorDistance(w) > 0) continue;
      const double d = object.sdf->query(w).distance;
      m.hand_in_object_depth = std::max(m.hand_in_object_depth, -d);
    }
  }
  m.penetration_depth = std::max(m.object_in_hand_depth, m.hand_in_object_depth);
  m.self_penetration = self_penetration_energy(hand, data, SelfPenetrationOptions{}, 0.0);
  return m;
}

}  // namespace graspqp
