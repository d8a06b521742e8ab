#pragma once
// Triangle meshes: loading (OBJ, STL, PLY, DAE via assimp), primitives, welding and transforms.
// Units are metres; a mesh stays in the frame of its file unless transformed explicitly.
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <filesystem>
#include <vector>

namespace graspqp {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

struct TriangleMesh {
  std::vector<Vec3> vertices;
  std::vector<Eigen::Vector3i> faces;  // counter-clockwise seen from outside (outward winding)

  bool empty() const { return faces.empty(); }
  double surface_area() const;
  Eigen::AlignedBox3d bounding_box() const;
  Vec3 face_normal(int f) const;  // unit, from the winding
  double face_area(int f) const;
};

// The largest mesh load_mesh reads (docs/hardening.md): more triangles, more vertices or a bigger file is
// refused, before the file is parsed where its format tells its size (OBJ lines, STL and PLY headers), so
// that the memory of a load stays bounded (about 1 GB at the limit).
constexpr long long kMaxMeshTriangles = 2'000'000;
constexpr long long kMaxMeshVertices = 3 * kMaxMeshTriangles;
constexpr long long kMaxMeshFileBytes = 512ll << 20;

// Loads every mesh in the file (all nodes of a scene, node transforms applied) into one triangle mesh,
// multiplied component-wise by `scale`. Duplicate vertices (texture seams) are welded so that the
// mesh is as closed as the file allows. Throws graspqp::Error naming the file on any failure
// (missing, unreadable, no triangles, non-finite coordinates, over the limits above).
TriangleMesh load_mesh(const std::filesystem::path& path, const Vec3& scale = Vec3::Ones());

// Merges vertices closer than `tolerance` and drops degenerate faces. Returns the number of removed vertices.
int weld_vertices(TriangleMesh& mesh, double tolerance = 1e-9);

// Applies p -> T p to every vertex (a reflection flips the winding to keep it outward).
void transform_mesh(TriangleMesh& mesh, const Eigen::Isometry3d& T);
void append_mesh(TriangleMesh& dst, const TriangleMesh& src);

// Primitives centred at the origin, outward winding, watertight.
TriangleMesh make_box(const Vec3& size);
TriangleMesh make_sphere(double radius, int subdivisions = 3);                // icosphere
TriangleMesh make_cylinder(double radius, double length, int segments = 32);  // axis z, as URDF

// Number of edges used by exactly one face (0 for a closed mesh).
int count_open_edges(const TriangleMesh& mesh);
// Connected components (faces sharing a vertex index), each with its own compact vertex list, in the
// order of their first face; `face_component` (optional) receives each face's component index.
std::vector<TriangleMesh> connected_components(const TriangleMesh& mesh, std::vector<int>* face_component = nullptr);

}  // namespace graspqp
