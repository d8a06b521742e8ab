#pragma once
// Outward orientation of closed (or nearly closed) meshes. Some files wind triangles inwards, all of
// them or a patch (the bundled apple PLY has a flipped patch in its stem cavity); a flipped face flips
// the signed distance near it, so meshes are repaired before they are used.
#include <graspqp/geometry/mesh.hpp>

namespace graspqp {

// Signed volume by the divergence theorem (positive for outward winding).
double signed_volume(const TriangleMesh& mesh);

// Makes the winding consistent across every manifold edge (breadth-first over each connected
// component), then flips each component whose signed volume is negative. Returns the number of
// faces flipped.
int orient_outward(TriangleMesh& mesh);

}  // namespace graspqp
