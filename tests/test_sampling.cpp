// Surface sampling, farthest-point sampling and convex hulls.
#include <graspqp/error.hpp>
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <set>
#include <utility>

#include "test_util.hpp"

namespace graspqp {
namespace {

double min_pairwise_distance(const std::vector<Vec3>& points, const std::vector<int>& subset) {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < subset.size(); ++i)
    for (size_t j = i + 1; j < subset.size(); ++j)
      best = std::min(best, (points[subset[i]] - points[subset[j]]).norm());
  return best;
}

double signed_volume(const TriangleMesh& m) {
  double v = 0;
  for (const auto& t : m.faces) v += m.vertices[t[0]].dot(m.vertices[t[1]].cross(m.vertices[t[2]]));
  return v / 6;
}

// ---------------------------------------------------------------------------------------------
// sample_surface
// ---------------------------------------------------------------------------------------------

TEST(samplingSurface, AreaUniformOverBoxSides) {
  const Vec3 size(1, 2, 3);
  const TriangleMesh box = make_box(size);
  const int n = 60000;
  const auto samples = sample_surface(box, n, 42);
  ASSERT_EQ(samples.size(), static_cast<size_t>(n));
  // Pearson chi-square over the 6 sides (5 degrees of freedom); 20.5 is the 0.999 quantile.
  const double side_area[3] = {size.y() * size.z(), size.x() * size.z(), size.x() * size.y()};
  const double total = 2 * (side_area[0] + side_area[1] + side_area[2]);
  int counts[6] = {};
  for (const auto& s : samples) {
    int axis;
    s.normal.cwiseAbs().maxCoeff(&axis);
    ++counts[2 * axis + (s.normal[axis] > 0)];
  }
  double chi_square = 0;
  for (int side = 0; side < 6; ++side) {
    const double expected = n * side_area[side / 2] / total;
    chi_square += (counts[side] - expected) * (counts[side] - expected) / expected;
  }
  EXPECT_LT(chi_square, 20.5) << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " "
                              << counts[4] << " " << counts[5];
}

TEST(samplingSurface, UniformWithinATriangle) {
  // One triangle split (for counting only) into its 4 midpoint sub-triangles of equal area.
  TriangleMesh tri;
  tri.vertices = {{0, 0, 0}, {3, 0, 0}, {0.5, 2, 0}};
  tri.faces = {{0, 1, 2}};
  const int n = 40000;
  const auto samples = sample_surface(tri, n, 5);
  const Vec3 &a = tri.vertices[0], &b = tri.vertices[1], &c = tri.vertices[2];
  const Mat3 to_barycentric = (Mat3() << b - a, c - a, Vec3::UnitZ()).finished().inverse();
  int counts[4] = {};
  Vec3 mean = Vec3::Zero();
  for (const auto& s : samples) {
    const Vec3 uvw = to_barycentric * (s.position - a);
    const double u = uvw.x(), v = uvw.y();
    ASSERT_GE(u, -1e-12);
    ASSERT_GE(v, -1e-12);
    ASSERT_LE(u + v, 1 + 1e-12);
    EXPECT_EQ(s.face, 0);
    EXPECT_LT((s.normal - Vec3::UnitZ()).norm(), 1e-15);
    mean += s.position / n;
    ++counts[u > 0.5 ? 1 : v > 0.5 ? 2 : u + v < 0.5 ? 0 : 3];
  }
  double chi_square = 0;
  for (int k = 0; k < 4; ++k) chi_square += (counts[k] - n / 4.0) * (counts[k] - n / 4.0) / (n / 4.0);
  EXPECT_LT(chi_square, 16.3);  // 3 degrees of freedom, 0.999 quantile
  // Mean at the centroid within ~4 standard errors (coordinate spread < 1.5).
  EXPECT_LT((mean - (a + b + c) / 3).norm(), 4 * 1.5 / std::sqrt(n));
}

TEST(samplingSurface, SamplesLieOnTheirFaces) {
  const TriangleMesh mug = load_mesh(test::object_path("ycb/mug/textured.obj"));
  for (const auto& s : sample_surface(mug, 2000, 3)) {
    ASSERT_GE(s.face, 0);
    ASSERT_LT(s.face, static_cast<int>(mug.faces.size()));
    const auto& t = mug.faces[s.face];
    EXPECT_NEAR((s.position - mug.vertices[t[0]]).dot(mug.face_normal(s.face)), 0, 1e-15);
    EXPECT_EQ(s.normal, mug.face_normal(s.face));
  }
}

TEST(samplingSurface, DeterministicForASeed) {
  const TriangleMesh mug = load_mesh(test::object_path("ycb/mug/textured.obj"));
  const auto a = sample_surface(mug, 500, 123), b = sample_surface(mug, 500, 123), c = sample_surface(mug, 500, 124);
  ASSERT_EQ(a.size(), b.size());
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].position, b[i].position);
    EXPECT_EQ(a[i].face, b[i].face);
    differ += a[i].face != c[i].face;
  }
  EXPECT_GT(differ, 450);
  // Pinned values: the generator (std::mt19937_64, fixed by the standard) and the mapping to points
  // (own 53-bit uniform, no std distributions) must not change across platforms or versions.
  const TriangleMesh box = make_box(Vec3(1, 2, 3));
  const auto pinned = sample_surface(box, 3, 2024);
  const std::pair<int, Vec3> expected[3] = {{9, {-0.5, 0.78293697737970058, 0.46393055785312809}},
                                            {6, {-0.48896520202105753, 1, -1.2638883627706226}},
                                            {11, {0.5, 0.15420878954343586, 0.75862317555123226}}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pinned[i].face, expected[i].first);
    EXPECT_LT((pinned[i].position - expected[i].second).norm(), 1e-15) << pinned[i].position.transpose();
  }
}

TEST(samplingSurface, EdgeCases) {
  EXPECT_TRUE(sample_surface(make_box(Vec3(1, 1, 1)), 0, 1).empty());
  EXPECT_THROW(sample_surface(TriangleMesh{}, 10, 1), Error);
  // Zero-area faces are never sampled.
  TriangleMesh m = make_box(Vec3(1, 1, 1));
  m.vertices.push_back({5, 5, 5});
  m.vertices.push_back({6, 6, 6});
  m.vertices.push_back({7, 7, 7});
  m.faces.insert(m.faces.begin() + 3, Eigen::Vector3i(8, 9, 10));
  for (const auto& s : sample_surface(m, 5000, 9)) EXPECT_NE(s.face, 3);
}

// ---------------------------------------------------------------------------------------------
// farthest_point_sampling
// ---------------------------------------------------------------------------------------------

std::vector<Vec3> mug_points(int n) {
  const TriangleMesh mug = load_mesh(test::object_path("ycb/mug/textured.obj"));
  std::vector<Vec3> points;
  for (const auto& s : sample_surface(mug, n, 77)) points.push_back(s.position);
  return points;
}

TEST(samplingFarthestPoint, DeterministicAndDistinct) {
  const auto points = mug_points(3000);
  const auto a = farthest_point_sampling(points, 64, 5), b = farthest_point_sampling(points, 64, 5);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 64u);
  EXPECT_EQ(a[0], 5);
  EXPECT_EQ(std::set<int>(a.begin(), a.end()).size(), a.size());
  // The second point is the farthest from the start.
  int farthest = 0;
  for (int i = 0; i < static_cast<int>(points.size()); ++i)
    if ((points[i] - points[5]).norm() > (points[farthest] - points[5]).norm()) farthest = i;
  EXPECT_EQ(a[1], farthest);
}

TEST(samplingFarthestPoint, SpreadsPoints) {
  const auto points = mug_points(3000);
  const int k = 50;
  const auto fps = farthest_point_sampling(points, k, 0);
  // FPS invariant: every point is within the subset's minimum separation of the subset (covering
  // radius <= separation), which no random subset achieves.
  const double separation = min_pairwise_distance(points, fps);
  double covering = 0;
  for (const auto& p : points) {
    double nearest = std::numeric_limits<double>::infinity();
    for (int i : fps) nearest = std::min(nearest, (p - points[i]).norm());
    covering = std::max(covering, nearest);
  }
  EXPECT_LE(covering, separation + 1e-15);
  // And its points are spread far better than a random subset's.
  std::mt19937_64 rng(1);
  std::vector<int> all(points.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(all.begin(), all.end(), rng);
    const std::vector<int> random_subset(all.begin(), all.begin() + k);
    EXPECT_GT(separation, 2 * min_pairwise_distance(points, random_subset));
  }
}

TEST(samplingFarthestPoint, EdgeCases) {
  const std::vector<Vec3> points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  EXPECT_EQ(farthest_point_sampling(points, 10, 0).size(), 3u);  // k clamped to n
  EXPECT_TRUE(farthest_point_sampling(points, 0, 0).empty());
  EXPECT_THROW(farthest_point_sampling(points, 2, 3), Error);
  // Ties go to the lowest index.
  EXPECT_EQ(farthest_point_sampling(points, 2, 0), (std::vector<int>{0, 1}));
}

// ---------------------------------------------------------------------------------------------
// convex_hull
// ---------------------------------------------------------------------------------------------

// Hull checks: closed, outward, and every input point on the inner side of every face plane.
void expect_valid_hull(const TriangleMesh& hull, const std::vector<Vec3>& points) {
  EXPECT_EQ(count_open_edges(hull), 0);
  EXPECT_GT(signed_volume(hull), 0);
  double scale = 0;
  for (const auto& p : points) scale = std::max(scale, p.cwiseAbs().maxCoeff());
  for (int f = 0; f < static_cast<int>(hull.faces.size()); ++f) {
    const Vec3 n = hull.face_normal(f);
    const Vec3& a = hull.vertices[hull.faces[f][0]];
    for (const auto& p : points) ASSERT_LE(n.dot(p - a), 1e-12 * scale) << "face " << f;
  }
  // Hull vertices are input points.
  for (const auto& v : hull.vertices)
    EXPECT_TRUE(std::any_of(points.begin(), points.end(), [&](const Vec3& p) { return p == v; }));
}

TEST(samplingConvexHull, CubeCornersGiveTwelveTriangles) {
  std::vector<Vec3> points = make_box(Vec3(1, 2, 3)).vertices;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-0.4, 0.4);
  for (int i = 0; i < 100; ++i) points.emplace_back(u(rng), 2 * u(rng), 3 * u(rng));  // interior
  const TriangleMesh hull = convex_hull(points);
  EXPECT_EQ(hull.faces.size(), 12u);
  EXPECT_EQ(hull.vertices.size(), 8u);
  EXPECT_NEAR(signed_volume(hull), 6, 1e-12);
  expect_valid_hull(hull, points);
}

TEST(samplingConvexHull, MugPointsInsideHull) {
  const TriangleMesh mug = load_mesh(test::object_path("ycb/mug/textured.obj"));
  const TriangleMesh hull = convex_hull(mug.vertices);
  expect_valid_hull(hull, mug.vertices);
  // Cross-check with the signed distance of the hull: no mug vertex is outside.
  const SignedDistanceField sdf(hull);
  for (size_t v = 0; v < mug.vertices.size(); v += 7) EXPECT_LE(sdf.query(mug.vertices[v]).distance, 1e-12);
  EXPECT_GT(signed_volume(hull), signed_volume(mug));
}

TEST(samplingConvexHull, SpherePointsApproachBallVolume) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> g;
  std::vector<Vec3> points;
  for (int i = 0; i < 4000; ++i) points.push_back(Vec3(g(rng), g(rng), g(rng)).normalized());
  const TriangleMesh hull = convex_hull(points);
  expect_valid_hull(hull, points);
  EXPECT_EQ(hull.vertices.size(), points.size());  // all points on the sphere are extreme
  EXPECT_NEAR(signed_volume(hull), 4.0 / 3 * std::numbers::pi, 0.02);
}

TEST(samplingConvexHull, DegenerateInputThrows) {
  std::vector<Vec3> flat;
  for (int i = 0; i < 20; ++i) flat.emplace_back(std::cos(i), std::sin(i * 1.3), 0.5);
  EXPECT_THROW(convex_hull(flat), Error);
  std::vector<Vec3> line;
  for (int i = 0; i < 10; ++i) line.emplace_back(i, 2 * i, -i);
  EXPECT_THROW(convex_hull(line), Error);
  EXPECT_THROW(convex_hull({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}), Error);
  EXPECT_THROW(convex_hull({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, std::nan("")}}), Error);
  try {
    convex_hull(flat);
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graspqp
