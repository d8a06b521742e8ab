#pragma once
// The immutable object model: mesh in its file frame (metres, times scale), signed distance field,
// surface samples for the penetration energy, centre, convex hull for initialization.
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace graspqp {

struct ObjectLoadOptions {
  double scale = 1.0;
  int surface_samples = 2500;  // farthest-point subset used by the penetration energy
  std::uint64_t seed = 0;      // dense area-uniform sampling before farthest-point sampling
};

// Uniform grid over the surface samples, so that a hand link only visits the samples near it.
struct PointGrid {
  Vec3 origin = Vec3::Zero();
  double cell = 0.01;
  Eigen::Vector3i dims = Eigen::Vector3i::Ones();
  std::vector<int> cell_start;  // CSR layout: points of cell c are index[cell_start[c] .. cell_start[c+1])
  std::vector<int> index;
  void build(const std::vector<Vec3>& points, double cell_size);
  // Calls f(i) for every point index whose cell overlaps the ball (centre, radius).
  template <class F>
  void for_each_near(const Vec3& centre, double radius, F&& f) const {
    const Eigen::Array3d lo = ((centre.array() - radius) - origin.array()) / cell;
    const Eigen::Array3d hi = ((centre.array() + radius) - origin.array()) / cell;
    const int x0 = std::max(0, static_cast<int>(std::floor(lo.x()))), x1 = std::min(dims.x() - 1, static_cast<int>(std::floor(hi.x())));
    const int y0 = std::max(0, static_cast<int>(std::floor(lo.y()))), y1 = std::min(dims.y() - 1, static_cast<int>(std::floor(hi.y())));
    const int z0 = std::max(0, static_cast<int>(std::floor(lo.z()))), z1 = std::min(dims.z() - 1, static_cast<int>(std::floor(hi.z())));
    for (int x = x0; x <= x1; ++x)
      for (int y = y0; y <= y1; ++y)
        for (int z = z0; z <= z1; ++z) {
          const int c = (x * dims.y() + y) * dims.z() + z;
          for (int k = cell_start[c]; k < cell_start[c + 1]; ++k) f(index[k]);
        }
  }
};

struct ObjectModel {
  std::string name;
  std::filesystem::path path;  // as given
  std::string sha256;          // of the mesh file
  double scale = 1.0;
  TriangleMesh mesh;
  std::shared_ptr<const SignedDistanceField> sdf;
  std::vector<Vec3> surface_points;  // farthest-point samples (penetration queries)
  PointGrid surface_grid;
  Vec3 center = Vec3::Zero();  // mean of the surface samples (as the reference), torque reference point
  double radius = 0;           // largest distance of a vertex from the centre
  TriangleMesh hull;           // convex hull of the vertices
};

// Throws graspqp::Error("<path>: <problem>") for unreadable, empty or degenerate (flat) meshes.
ObjectModel load_object(const std::filesystem::path& path, const ObjectLoadOptions& options = {});

}  // namespace graspqp
