#pragma once
// Signed distance, closest point and outward normal for a triangle mesh, through an Embree BVH
// (rtcPointQuery) for the traversal and exact double-precision point-triangle distances.
// Sign convention (whole project): positive outside, negative inside. The sign comes from the
// angle-weighted pseudonormal of the closest feature (face, edge or vertex), which is exact for
// closed meshes at edges and vertices too.
#include <graspqp/geometry/mesh.hpp>

#include <memory>

namespace graspqp {

struct SdfResult {
  double distance = 0;                 // signed: > 0 outside, < 0 inside
  Vec3 normal = Vec3::Zero();          // unit outward normal = gradient of the signed distance w.r.t. the query
  Vec3 closest = Vec3::Zero();         // closest point on the surface
  int face = -1;                       // index of the closest triangle
  int feature = 0;                     // closest feature of that triangle: 0 interior, 1 edge, 2 vertex (0 also when
                                       // the offset runs along the face normal, e.g. over a flat edge or vertex)
  Vec3 edge_direction = Vec3::Zero();  // unit direction of the closest edge when feature == 1
};

// Jacobian d(normal)/d(query point) of the SDF normal at a query result (zero in a face region,
// (I - n n^T - e e^T)/d in an edge region, (I - n n^T)/d in a vertex region, d the signed distance:
// inside, the normal turns the other way). Exact away from the surface and the medial axis.
Mat3 normal_jacobian(const SdfResult& r);

struct SdfOptions {
  // The mesh is a union of closed parts (its connected components) that may overlap, e.g. a hand link
  // made of several primitives or meshes: the closest feature's pseudonormal can then lie on a part's
  // face buried inside another part and give the wrong sign. With this option, inside the bounding box
  // the sign says whether the point is inside any part (one field per part, each exact). The distance
  // stays the distance to the nearest part surface: exact outside; inside, the depth may be
  // underestimated where a part's surface runs inside another (it errs on the shallow side).
  bool union_of_parts = false;
};

// Immutable after construction; queries are thread-safe.
class SignedDistanceField {
 public:
  explicit SignedDistanceField(TriangleMesh mesh, const SdfOptions& options = {});
  ~SignedDistanceField();
  SignedDistanceField(const SignedDistanceField&) = delete;
  SignedDistanceField& operator=(const SignedDistanceField&) = delete;

  const TriangleMesh& mesh() const;
  // Throws graspqp::Error for a non-finite p.
  SdfResult query(const Vec3& p) const;
  // The same result as query(p), found faster when `near_face` (a mesh face index; < 0: none) is close to
  // p: its distance bounds the search from the start. Callers pass the `face` of an earlier query at a
  // point nearby (the same hand point one sampler step before). Throws as query(p); a face index beyond
  // the mesh is a programmer error.
  SdfResult query(const Vec3& p, int near_face) const;
  // Broad-phase friendly variant: if the surface is farther than max_distance, returns false and
  // leaves `out` untouched (no sign computed); otherwise fills `out` exactly like query().
  bool query_within(const Vec3& p, double max_distance, SdfResult& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace graspqp
