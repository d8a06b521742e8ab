#pragma once
// The immutable object model: mesh in its file frame (metres, times scale), signed distance field,
// surface samples for the penetration energy, centre, convex hull for initialization.
#include <graspqp/geometry/distance_grid.hpp>
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
  // Build coarse_sdf, the grid that lets E_hpen skip hand points certainly outside. Synthesis wants it;
  // evaluation and metrics measure every point anyway, so they skip its cost (the grid is exact culling:
  // results are the same with or without it).
  bool culling_grid = true;
};

// Surface samples grouped into the non-empty cells of a uniform grid, each with a bounding sphere,
// so that a hand link only visits the samples near it. Surface samples occupy a thin shell, so
// testing the few hundred non-empty cells beats walking every cell of a link's bounding box.
struct PointGrid {
  struct Cell {
    Vec3 centre;
    double radius;
    int begin, end;  // range in `index`
  };
  // Second level: blocks of neighbouring cells (cells[block.begin .. block.end)), so that a query
  // tests a few dozen blocks and then only the cells of the blocks it touches.
  std::vector<Cell> blocks;
  std::vector<Cell> cells;
  std::vector<int> index;
  void build(const std::vector<Vec3>& points, double cell_size, int cells_per_block = 4);
  // Calls visit(cell) for every cell whose bounding sphere passes `overlaps(centre, radius)` (tested on
  // blocks first).
  template <class Overlaps, class Visit>
  void for_each_cell(Overlaps&& overlaps, Visit&& visit) const {
    for (const Cell& b : blocks) {
      if (!overlaps(b.centre, b.radius)) continue;
      for (int c = b.begin; c < b.end; ++c)
        if (overlaps(cells[c].centre, cells[c].radius)) visit(cells[c]);
    }
  }
  // Calls f(i) for every point index in a cell whose bounding sphere overlaps the ball (centre, radius).
  template <class F>
  void for_each_near(const Vec3& centre, double radius, F&& f) const {
    for_each_cell([&](const Vec3& c, double r) { return (c - centre).squaredNorm() <= (r + radius) * (r + radius); },
                  [&](const Cell& cell) {
                    for (int k = cell.begin; k < cell.end; ++k) f(index[k]);
                  });
  }
};

struct ObjectModel {
  std::string name;
  std::filesystem::path path;  // as given
  std::string sha256;          // of the mesh file
  double scale = 1.0;
  TriangleMesh mesh;
  std::shared_ptr<const SignedDistanceField> sdf;
  std::shared_ptr<const DistanceGrid> coarse_sdf;  // culling grid of sdf (48 cells along the longest side), or null
  std::vector<Vec3> surface_points;                // farthest-point samples (penetration queries)
  PointGrid surface_grid;
  Vec3 center = Vec3::Zero();  // mean of the surface samples (as the reference), torque reference point
  double radius = 0;           // largest distance of a vertex from the centre
  TriangleMesh hull;           // convex hull of the vertices
};

// Throws graspqp::Error("<path>: <problem>") for unreadable, empty or degenerate (flat) meshes.
ObjectModel load_object(const std::filesystem::path& path, const ObjectLoadOptions& options = {});

}  // namespace graspqp
