#pragma once
// Independent references for the signed-distance tests: brute-force closest points over every triangle,
// the generalized winding number for the sign, and the test meshes.
#include <graspqp/error.hpp>
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <thread>

#include "test_util.hpp"

namespace graspqp {
namespace {

Vec3 closest_on_segment(const Vec3& p, const Vec3& a, const Vec3& b) {
  const Vec3 ab = b - a;
  const double len_sq = ab.squaredNorm();
  const double t = len_sq > 0 ? std::clamp((p - a).dot(ab) / len_sq, 0.0, 1.0) : 0.0;
  return a + t * ab;
}

// Closest point by a different method than the library's (Ericson regions): project onto the
// plane; if the projection is inside, done; otherwise the closest point is on an edge.
Vec3 closest_on_triangle_reference(const Vec3& p, const Vec3& a, const Vec3& b, const Vec3& c) {
  const Vec3 n = (b - a).cross(c - a);
  const double n_sq = n.squaredNorm();
  if (n_sq > 0) {
    const Vec3 q = p - n * (n.dot(p - a) / n_sq);
    const double wa = (b - q).cross(c - q).dot(n), wb = (c - q).cross(a - q).dot(n), wc = (a - q).cross(b - q).dot(n);
    if (wa >= 0 && wb >= 0 && wc >= 0) return q;
  }
  Vec3 best = closest_on_segment(p, a, b);
  for (const Vec3& cand : {closest_on_segment(p, b, c), closest_on_segment(p, c, a)})
    if ((p - cand).squaredNorm() < (p - best).squaredNorm()) best = cand;
  return best;
}

struct BruteForce {
  double distance = std::numeric_limits<double>::infinity();  // unsigned
  Vec3 closest;
  bool ambiguous = false;  // another, distinct point is (almost) equally close: closest point not unique
};

BruteForce brute_force(const TriangleMesh& m, const Vec3& p) {
  std::vector<std::pair<double, Vec3>> candidates;
  candidates.reserve(m.faces.size());
  for (const auto& t : m.faces) {
    const Vec3 c = closest_on_triangle_reference(p, m.vertices[t[0]], m.vertices[t[1]], m.vertices[t[2]]);
    candidates.emplace_back((p - c).norm(), c);
  }
  BruteForce r;
  for (const auto& [d, c] : candidates)
    if (d < r.distance) {
      r.distance = d;
      r.closest = c;
    }
  for (const auto& [d, c] : candidates)
    if (d <= r.distance + 1e-10 && (c - r.closest).norm() > 1e-9) r.ambiguous = true;
  return r;
}

// Generalized winding number: sum of the signed solid angles of the triangles seen from p, over 4 pi
// (van Oosterom & Strackee 1983). 1 inside, 0 outside a closed surface, fractional near holes.
double winding_number(const TriangleMesh& m, const Vec3& p) {
  double total = 0;
  for (const auto& t : m.faces) {
    const Vec3 a = m.vertices[t[0]] - p, b = m.vertices[t[1]] - p, c = m.vertices[t[2]] - p;
    const double la = a.norm(), lb = b.norm(), lc = c.norm();
    const double numerator = a.dot(b.cross(c));
    const double denominator = la * lb * lc + a.dot(b) * lc + a.dot(c) * lb + b.dot(c) * la;
    total += 2 * std::atan2(numerator, denominator);
  }
  return total / (4 * std::numbers::pi);
}

// Angle-free (area-weighted) vertex normals: only used to place test points near vertices.
std::vector<Vec3> area_weighted_vertex_normals(const TriangleMesh& m) {
  std::vector<Vec3> normals(m.vertices.size(), Vec3::Zero());
  for (const auto& t : m.faces) {
    const Vec3 n = (m.vertices[t[1]] - m.vertices[t[0]]).cross(m.vertices[t[2]] - m.vertices[t[0]]);
    for (int k = 0; k < 3; ++k) normals[t[k]] += n;
  }
  for (auto& n : normals) n.normalize();
  return normals;
}

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(std::uint64_t seed) : engine(seed) {}
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(engine); }
  Vec3 in_box(const Eigen::AlignedBox3d& box) {
    return Vec3(uniform(box.min().x(), box.max().x()), uniform(box.min().y(), box.max().y()),
                uniform(box.min().z(), box.max().z()));
  }
  Vec3 direction() {
    Vec3 d;
    do d = Vec3(uniform(-1, 1), uniform(-1, 1), uniform(-1, 1));
    while (d.squaredNorm() > 1 || d.squaredNorm() < 1e-4);
    return d.normalized();
  }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  int uniform_int(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine); }  // in [0, n)
};

const TriangleMesh& mug() {
  static const TriangleMesh mesh = load_mesh(test::object_path("ycb/mug/textured.obj"));
  return mesh;
}

const SignedDistanceField& mug_sdf() {
  static const SignedDistanceField sdf(mug());
  return sdf;
}

// Checks distance and closest point against brute force and the sign against the winding number.
// Returns the number of points whose sign could not be judged (winding number near 1/2: at holes).
int check_against_references(const SignedDistanceField& sdf, const std::vector<Vec3>& points, const char* what,
                             bool check_sign = true) {
  int ambiguous_sign = 0;
  for (const Vec3& p : points) {
    const SdfResult r = sdf.query(p);
    const BruteForce ref = brute_force(sdf.mesh(), p);
    EXPECT_NEAR(std::abs(r.distance), ref.distance, 1e-12) << what << " p=" << p.transpose();
    EXPECT_NEAR((r.closest - p).norm(), ref.distance, 1e-12) << what;
    if (!ref.ambiguous) {
      EXPECT_LT((r.closest - ref.closest).norm(), 1e-12) << what << " p=" << p.transpose();
    }
    EXPECT_GE(r.face, 0);
    EXPECT_NEAR(r.normal.norm(), 1, 1e-12) << what;
    if (!check_sign) continue;
    const double w = winding_number(sdf.mesh(), p);
    if (std::abs(w - 0.5) < 0.3) {
      ++ambiguous_sign;
      continue;
    }
    EXPECT_EQ(r.distance<0, w> 0.5) << what << " p=" << p.transpose() << " d=" << r.distance << " w=" << w;
  }
  return ambiguous_sign;
}

}  // namespace
}  // namespace graspqp
