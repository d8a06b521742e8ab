#pragma once
// Surface sampling (area-uniform), farthest-point sampling and convex hulls.
#include <graspqp/geometry/mesh.hpp>

#include <cstdint>
#include <random>

namespace graspqp {

struct SurfaceSample {
  Vec3 position;
  Vec3 normal;  // face normal of the sampled triangle (outward winding)
  int face;
};

// n points uniformly distributed by area; deterministic for a seed.
std::vector<SurfaceSample> sample_surface(const TriangleMesh& mesh, int n, std::uint64_t seed);

// Indices of k points chosen by farthest-point sampling starting from index `start` (deterministic).
std::vector<int> farthest_point_sampling(const std::vector<Vec3>& points, int k, int start = 0);

// Convex hull through Qhull; faces wound outward. Throws graspqp::Error for degenerate (flat) input.
TriangleMesh convex_hull(const std::vector<Vec3>& points);

}  // namespace graspqp
