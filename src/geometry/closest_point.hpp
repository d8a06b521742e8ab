#pragma once
// Exact closest point of a triangle to a point, with the feature (face, edge, vertex) it lies on: the
// narrow phase of the signed distance (the feature picks the pseudonormal that gives the sign). Private
// to the geometry module.
#include <graspqp/geometry/mesh.hpp>

#include <cstdint>

namespace graspqp::closest_point {

// Closest feature of a triangle (a, b, c) = (v0, v1, v2). Edges are numbered by their first vertex:
// edge k joins vertex k and vertex (k + 1) % 3.
enum class Region : std::uint8_t { kFace, kEdge0, kEdge1, kEdge2, kVertex0, kVertex1, kVertex2 };

// A closest point within ~1e-14 of an edge end is on the vertex: snapping makes equal closest points
// computed from neighbouring triangles name the same (shared) feature despite rounding.
constexpr double kSnap = 1e-14;

// Closest point of segment [a, b] to p, as a parameter in [0, 1] (0 or 1 at the ends).
inline double segment_parameter(const Vec3& p, const Vec3& a, const Vec3& b) {
  const Vec3 ab = b - a;
  const double len_sq = ab.squaredNorm();
  if (!(len_sq > 0)) return 0;
  const double t = (p - a).dot(ab) / len_sq;
  return t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
}

inline Region edge_or_vertex(double t, int edge) {
  if (t == 0) return static_cast<Region>(static_cast<int>(Region::kVertex0) + edge);
  if (t == 1) return static_cast<Region>(static_cast<int>(Region::kVertex0) + (edge + 1) % 3);
  return static_cast<Region>(static_cast<int>(Region::kEdge0) + edge);
}

// Fallback for degenerate (zero-area) triangles: the closest point lies on one of the three edges.
inline Region closest_on_edges(const Vec3& p, const Vec3& v0, const Vec3& v1, const Vec3& v2, Vec3& closest) {
  const Vec3* v[3] = {&v0, &v1, &v2};
  double best = std::numeric_limits<double>::infinity();
  Region region = Region::kVertex0;
  closest = v0;
  for (int k = 0; k < 3; ++k) {
    const Vec3& a = *v[k];
    const Vec3& b = *v[(k + 1) % 3];
    const double t = segment_parameter(p, a, b);
    const Vec3 c = t == 1 ? b : Vec3(a + t * (b - a));
    const double d = (p - c).squaredNorm();
    if (d < best) {
      best = d;
      closest = c;
      region = edge_or_vertex(t, k);
    }
  }
  return region;
}

// Exact closest point of triangle (a, b, c) to p (Ericson, Real-Time Collision Detection, 5.1.5),
// with the Voronoi region it lies in. Edge parameters within kSnap of an end snap to that vertex.
inline Region closest_on_triangle(const Vec3& p, const Vec3& a, const Vec3& b, const Vec3& c, Vec3& closest) {
  const Vec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0 && d2 <= 0) {
    closest = a;
    return Region::kVertex0;
  }
  const Vec3 bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0 && d4 <= d3) {
    closest = b;
    return Region::kVertex1;
  }
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    double t = d1 - d3 > 0 ? d1 / (d1 - d3) : 0.0;
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 1 ? b : Vec3(a + t * ab);
    return edge_or_vertex(t, 0);
  }
  const Vec3 cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0 && d5 <= d6) {
    closest = c;
    return Region::kVertex2;
  }
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    // Edge c -> a (edge 2), parameterised from c so the numbering matches edge_or_vertex.
    double w = d2 - d6 > 0 ? d2 / (d2 - d6) : 0.0;  // fraction from a towards c
    double t = 1 - w;                               // fraction from c towards a
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 0 ? c : (t == 1 ? a : Vec3(a + w * ac));
    return edge_or_vertex(t, 2);
  }
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    const double den = (d4 - d3) + (d5 - d6);
    double t = den > 0 ? (d4 - d3) / den : 0.0;
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 1 ? c : Vec3(b + t * (c - b));
    return edge_or_vertex(t, 1);
  }
  const double sum = va + vb + vc;
  const double bv = vb / sum, bw = vc / sum;
  // sum = |ab x ac|^2 = (2 area)^2: for (near-)degenerate triangles the barycentrics are meaningless.
  if (!(sum > 0) || !(bv >= 0) || !(bw >= 0) || !(bv + bw <= 1)) return closest_on_edges(p, a, b, c, closest);
  closest = a + bv * ab + bw * ac;
  return Region::kFace;
}

}  // namespace graspqp::closest_point
