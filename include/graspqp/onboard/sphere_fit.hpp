#pragma once
// `graspqp hand init`, step 3: self-collision spheres fitted to the links' collision meshes
// (penetration_points.json), and the sphere coverage measure that `graspqp hand check` reports.
#include <graspqp/hand/hand_model.hpp>

#include <cstdint>
#include <vector>

namespace graspqp {

struct SphereFitOptions {
  double margin = 0.004;         // [m] radius = depth of the centre inside the link + margin (largest bulge)
  double tolerance = 0.002;      // [m] a surface sample is covered within radius + tolerance
  double target_coverage = 0.9;  // greedy cover stops at this fraction of surface samples
  int max_spheres_per_link = 6;
  int samples = 800;                 // surface samples per link
  double min_radius = 0.002;         // [m] smaller spheres are dropped
  bool resolve_default_pose = true;  // shrink spheres of non-adjacent links that overlap at the default pose
  std::uint64_t seed = 7;
};

struct LinkSpheres {
  int link = -1;
  std::vector<CollisionSphere> spheres;  // link frame
  double coverage = 0;                   // fraction of surface samples covered (after resolution)
};

// Greedy set cover of each link's outer surface samples by spheres centred inside the link (grid points and
// medial points found by marching inwards from surface samples), radius bounded by the depth of the centre.
std::vector<LinkSpheres> fit_collision_spheres(const HandModel& model, const SphereFitOptions& options = {});

// Fraction of `samples` outer surface samples of `link` within radius + tolerance of one of the spheres.
double sphere_coverage(const HandModel& model, int link, const std::vector<CollisionSphere>& spheres,
                       double tolerance = 0.002, int samples = 1000, std::uint64_t seed = 1);

}  // namespace graspqp
