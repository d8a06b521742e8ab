#pragma once
// Convex decomposition for the physics evaluation. MuJoCo collides every mesh through its convex
// hull, so concave shapes (mug handles, bowls, palms) are split into convex parts first.
// HACD (Khaled Mamou's hierarchical approximate convex decomposition, shipped in Debian's
// libbullet-extras-dev) does the splitting; parts are cached as OBJ files.
#include <graspqp/geometry/mesh.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace graspqp {

struct HacdOptions {
  // Maximum concavity of a part, in HACD's normalized units: the mesh is scaled so that its
  // bounding-box diagonal is 1000 (so 100 means 10 % of the diagonal). Lower = more parts.
  double concavity = 100;
  int min_clusters = 1;               // HACD stops merging at this many parts
  int max_vertices_per_hull = 64;     // HACD simplifies each part hull to at most this many vertices
  double compacity_weight = 1e-4;     // HACD alpha
  double volume_weight = 0.0;         // HACD beta
  double connect_distance = 30;       // HACD connects disconnected components closer than this (normalized units)
  bool add_extra_dist_points = true;  // concavity measured at extra points (better handles / cavities)
  bool add_faces_points = true;
  int target_faces = 3000;  // meshes with more faces are decimated (vertex clustering) first; 0 = never
};

// Vertex-clustering decimation on a uniform grid sized so that roughly target_faces remain.
// Welds vertices, drops degenerate and duplicate faces. Returns the input when it is small enough.
TriangleMesh decimate_vertex_clustering(const TriangleMesh& mesh, int target_faces);

// Convex parts of a mesh by HACD (after welding and, if large, decimation). Every returned part is a
// closed convex hull (outward winding) with non-zero volume; flat parts are thickened by `min_thickness`.
std::vector<TriangleMesh> hacd_decompose(const TriangleMesh& mesh, const HacdOptions& options,
                                         double min_thickness = 5e-4);

// Convex hull of the points, thickened along the thinnest direction when (nearly) flat so that it has
// a volume (MuJoCo's qhull rejects flat meshes). Returns an empty mesh for < 1 distinct point.
TriangleMesh solid_convex_hull(std::vector<Vec3> points, double min_thickness = 5e-4);

// Largest distance (m) from sample points of the mesh's convex hull to the mesh surface: 0 for a convex
// mesh, about the depth of the deepest dent otherwise.
double hull_concavity(const TriangleMesh& mesh, int samples = 400);

// Multi-part OBJ ("o part_<k>" groups) reading and writing (atomic).
void write_parts_obj(const std::filesystem::path& path, const std::vector<TriangleMesh>& parts,
                     const std::string& header_comment = "");
std::vector<TriangleMesh> read_parts_obj(const std::filesystem::path& path);

// The cache key of a decomposition: SHA-256 over the mesh file's digest, the scale and every option.
std::string hacd_cache_key(const std::string& mesh_sha256, double scale, const HacdOptions& options);

struct ObjectPartsResult {
  std::vector<TriangleMesh> parts;  // object frame (file coordinates x scale)
  std::string source;               // "user:<dir>", "cache:<file>" or "hacd" (then also written to the cache)
  double seconds = 0;               // decomposition time (0 when read)
};

// Convex parts of an object mesh file, scaled. Order of preference: `user_parts` (a folder of mesh files,
// one part each, in the object's file frame before scaling, or a single multi-part OBJ file), the cache
// file `<cache_dir>/<key>-hacd.obj`, a fresh HACD run (stored in the cache when cache_dir is not empty).
ObjectPartsResult object_convex_parts(const std::filesystem::path& mesh_file, double scale, const HacdOptions& options,
                                      const std::filesystem::path& cache_dir,
                                      const std::filesystem::path& user_parts = {});

}  // namespace graspqp
