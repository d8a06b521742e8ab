#pragma once
// A link's collision mesh as a union of solids: depth, distance, outer-surface samples and winding number,
// shared by `graspqp hand init` (contact patches, sphere fit) and `graspqp hand check`.
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace graspqp {

// The collision mesh of a link split into its connected components, each with its own signed distance:
// URDFs often describe a link as several overlapping primitives (LEAP, Barrett), whose merged mesh has
// faces buried inside other components. depth() is the depth inside the union (> 0 inside).
class LinkSolid {
 public:
  explicit LinkSolid(const TriangleMesh& mesh);
  int components() const { return static_cast<int>(parts_.size()); }
  double depth(const Vec3& p) const;                           // max over components of -sdf
  double depth_excluding(const Vec3& p, int component) const;  // same, other components only
  int component_of_face(int face) const { return face_component_[face]; }
  // Signed distance to the union's outer surface (> 0 outside), exact outside, a bound inside.
  double distance(const Vec3& p) const;
  // Area-uniform samples on the outer surface of the union (faces buried inside another component are
  // dropped); positions and outward normals in the mesh frame. Deterministic for a seed.
  std::vector<std::pair<Vec3, Vec3>> outer_samples(int n, std::uint64_t seed) const;
  // Generalized winding number of the whole mesh (orientation-robust inside test: |w| > 0.5 inside).
  double winding_number(const Vec3& p) const;

 private:
  TriangleMesh mesh_;
  std::vector<std::shared_ptr<const SignedDistanceField>> parts_;
  std::vector<int> face_component_;
};

}  // namespace graspqp
