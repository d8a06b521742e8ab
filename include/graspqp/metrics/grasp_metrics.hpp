#pragma once
// Analytic per-grasp metrics, measured independently of the optimizer's own samples:
// - contact distance |d_i| of the selected contacts;
// - penetration depth both ways: a dense object surface sample (>= 10x the optimizer's) against the
//   hand link meshes, and every hand collision-mesh vertex against the object's signed distance;
// - self-penetration of the collision spheres;
// - Ferrari-Canny Q1 (Qhull) from the contacts within a threshold of the surface.
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/metrics/ferrari_canny.hpp>

namespace graspqp {

struct GraspMetricsOptions {
  double contact_threshold = 0.005;  // contacts within this distance of the surface count for Q1 [m]
  FerrariCannyParams q1{0.2, 8};
  int dense_samples = 25000;  // object surface samples for the penetration depth
  std::uint64_t seed = 12345;
};

// Throws graspqp::Error naming the option (`graspqp metrics` / `eval` names) and its allowed range:
// --contact-threshold in [0, 0.1] m, --friction (Q1) in (0, 10], cone edges in [3, 64], dense samples in
// [1, 10^7].
void validate_metrics_options(const GraspMetricsOptions& options);

// The dense object sample, built once per object.
struct DenseObjectSample {
  std::vector<Vec3> points;
  PointGrid grid;
};
DenseObjectSample dense_object_sample(const ObjectModel& object, const GraspMetricsOptions& options);

struct GraspMetrics {
  std::vector<double> contact_distance;  // |d_i| per selected contact [m]
  double object_in_hand_depth = 0;       // deepest dense object sample inside a hand link [m]
  double hand_in_object_depth = 0;       // deepest hand mesh vertex inside the object [m]
  double penetration_depth = 0;          // max of the two [m]
  double self_penetration = 0;           // E_spen (sum of sphere overlaps) [m]
  int contacts_used_for_q1 = 0;
  double q1 = 0;
};

GraspMetrics grasp_metrics(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                           const DenseObjectSample& dense, const Eigen::VectorXd& x, std::span<const int> contacts,
                           const GraspMetricsOptions& options);

}  // namespace graspqp
