// Ferrari-Canny Q1: closed-form hulls, an independent brute-force facet enumeration, the
// support-function upper bound from sampled directions, degenerate inputs and thread safety.
#include <graspqp/error.hpp>
#include <graspqp/metrics/ferrari_canny.hpp>

#include <gtest/gtest.h>
#include <Eigen/Geometry>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

namespace graspqp {
namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;

Vec3 random_unit(std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0, 1);
  return Vec3(gauss(rng), gauss(rng), gauss(rng)).normalized();
}

WrenchArray cross_polytope(double scale = 1.0) {
  WrenchArray w = WrenchArray::Zero(12, 6);
  for (int i = 0; i < 6; ++i) w(2 * i, i) = scale, w(2 * i + 1, i) = -scale;
  return w;
}

WrenchArray hypercube() {
  WrenchArray w(64, 6);
  for (int v = 0; v < 64; ++v)
    for (int c = 0; c < 6; ++c) w(v, c) = (v >> c) & 1 ? 1.0 : -1.0;
  return w;
}

// Exact Q1 by enumerating every hyperplane through 6 of the points: a facet plane has all points on
// one side; Q1 is the smallest origin distance if the origin is strictly inside all of them.
double brute_force_q1(const WrenchArray& w) {
  const int n = static_cast<int>(w.rows());
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> pick{0, 1, 2, 3, 4, 5};
  while (true) {
    // Plane a.x = b through the 6 picked points: a spans the null space of [x_i - x_0].
    Eigen::Matrix<double, 5, 6> diffs;
    for (int k = 1; k < 6; ++k) diffs.row(k - 1) = w.row(pick[k]) - w.row(pick[0]);
    const Eigen::FullPivLU<Eigen::Matrix<double, 5, 6>> lu(diffs);
    if (lu.rank() == 5) {
      Vec6 a = lu.kernel().col(0).normalized();
      double b = a.dot(w.row(pick[0]).transpose());
      const Eigen::VectorXd side = w * a - Eigen::VectorXd::Constant(n, b);
      const bool below = (side.array() <= 1e-12).all(), above = (side.array() >= -1e-12).all();
      if (below || above) {
        if (above) a = -a, b = -b;  // orient outward: all points satisfy a.x <= b
        best = std::min(best, b);   // origin distance, negative if the origin is outside
      }
    }
    // Next 6-subset in lexicographic order.
    int k = 5;
    while (k >= 0 && pick[k] == n - 6 + k) --k;
    if (k < 0) break;
    ++pick[k];
    for (int j = k + 1; j < 6; ++j) pick[j] = pick[j - 1] + 1;
  }
  return best > 0 ? best : 0.0;
}

double support(const WrenchArray& w, const Vec6& d) { return (w * d).maxCoeff(); }

// Contacts at the six octahedron vertices of a 5 cm sphere, normals tilted off radial: force closure.
void tilted_octahedron(std::mt19937_64& rng, ContactArray& points, ContactArray& normals) {
  const Vec3 axes[6] = {Vec3::UnitX(), -Vec3::UnitX(), Vec3::UnitY(), -Vec3::UnitY(), Vec3::UnitZ(), -Vec3::UnitZ()};
  points.resize(6, 3);
  normals.resize(6, 3);
  for (int i = 0; i < 6; ++i) {
    points.row(i) = 0.05 * axes[i].transpose();
    normals.row(i) = (axes[i] + 0.3 * random_unit(rng)).normalized().transpose();
  }
}

TEST(FerrariCanny, ClosedFormHulls) {
  EXPECT_NEAR(largest_inscribed_ball(cross_polytope()), 1 / std::sqrt(6.0), 1e-9);
  EXPECT_NEAR(largest_inscribed_ball(cross_polytope(3.0)), 3 / std::sqrt(6.0), 1e-9);
  EXPECT_NEAR(largest_inscribed_ball(hypercube()), 1.0, 1e-9);
  WrenchArray shifted = hypercube();
  shifted.col(2).array() += 0.25;  // the nearest facet moves to distance 0.75
  EXPECT_NEAR(largest_inscribed_ball(shifted), 0.75, 1e-9);
}

TEST(FerrariCanny, OriginOutsideOrOnTheBoundaryGivesZero) {
  WrenchArray outside = cross_polytope();
  outside.col(0).array() += 2.0;
  EXPECT_EQ(largest_inscribed_ball(outside), 0.0);
  WrenchArray on_facet = hypercube();
  on_facet.col(4).array() += 1.0;  // origin on the facet x_4 = 0
  EXPECT_EQ(largest_inscribed_ball(on_facet), 0.0);
}

TEST(FerrariCanny, DegenerateWrenchSets) {
  EXPECT_EQ(largest_inscribed_ball(cross_polytope().topRows(6)), 0.0);  // too few
  WrenchArray flat = hypercube();
  flat.col(5).setZero();  // 5-D: no interior in 6-D
  EXPECT_EQ(largest_inscribed_ball(flat), 0.0);
  WrenchArray duplicated(24, 6);
  duplicated << cross_polytope(), cross_polytope();
  EXPECT_NEAR(largest_inscribed_ball(duplicated), 1 / std::sqrt(6.0), 1e-9);
  WrenchArray non_finite = hypercube();
  non_finite(3, 3) = std::nan("");
  EXPECT_EQ(largest_inscribed_ball(non_finite), 0.0);
}

TEST(FerrariCanny, MatchesBruteForceFacetEnumeration) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> gauss(0, 1);
  int inside = 0;
  for (int trial = 0; trial < 30; ++trial) {
    WrenchArray w(13, 6);
    for (int i = 0; i < w.rows(); ++i)
      for (int c = 0; c < 6; ++c) w(i, c) = gauss(rng) + (trial % 3 == 0 ? 0.8 : 0.0);
    const double expected = brute_force_q1(w);
    inside += expected > 0;
    EXPECT_NEAR(largest_inscribed_ball(w), expected, 1e-9) << "trial " << trial;
  }
  EXPECT_GE(inside, 10);
  EXPECT_LE(inside, 27);  // some with the origin outside too
}

// h(d) = max_w <d, w> >= Q1 for every unit d, with equality at the nearest facet's normal: the
// sampled minimum is an upper bound that local refinement brings down to Q1.
TEST(FerrariCanny, SupportFunctionUpperBoundConverges) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> gauss(0, 1);
  ContactArray points, normals;
  tilted_octahedron(rng, points, normals);
  const FerrariCannyParams params;
  WrenchArray w;
  primitive_wrenches(params, points, normals, Vec3::Zero(), 0.05, w);
  const double q1 = largest_inscribed_ball(w);
  ASSERT_GT(q1, 0.01);

  auto random_direction = [&] {
    Vec6 d;
    for (int c = 0; c < 6; ++c) d[c] = gauss(rng);
    return Vec6(d.normalized());
  };
  std::vector<std::pair<double, Vec6>> samples;
  for (int s = 0; s < 100000; ++s) {
    const Vec6 d = random_direction();
    samples.emplace_back(support(w, d), d);
  }
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  EXPECT_GE(samples.front().first, q1 - 1e-12);  // an upper bound, even unrefined

  double refined = samples.front().first;
  for (int start = 0; start < 10; ++start) {
    auto [value, d] = samples[start];
    double step = 0.05;
    for (int it = 0, stalled = 0; it < 20000 && step > 1e-9; ++it) {
      const Vec6 candidate = (d + step * random_direction()).normalized();
      const double h = support(w, candidate);
      if (h < value)
        value = h, d = candidate, stalled = 0;
      else if (++stalled == 60)
        step *= 0.5, stalled = 0;
    }
    EXPECT_GE(value, q1 - 1e-12);
    refined = std::min(refined, value);
  }
  EXPECT_LT(refined, 1.02 * q1);
}

TEST(FerrariCanny, ContactWrenchesFollowTheConvention) {
  ContactArray points(1, 3), normals(1, 3);
  points << 0.0, 0.0, 0.1;
  normals << 0.0, 0.0, 2.0;  // not unit: normalised
  FerrariCannyParams params;
  params.cone_edges = 4;
  params.friction = 0.5;
  WrenchArray w;
  primitive_wrenches(params, points, normals, Vec3(0, 0, 0.05), 0.05, w);
  ASSERT_EQ(w.rows(), 4);
  for (int k = 0; k < 4; ++k) {
    const Vec3 f = w.row(k).head<3>().transpose(), tau = w.row(k).tail<3>().transpose();
    EXPECT_NEAR(f.norm(), 1, 1e-12);
    EXPECT_NEAR(f.z(), -1 / std::sqrt(1.25), 1e-12);  // pushes into the object, tan(half-angle) = mu
    EXPECT_LT((tau - Vec3(0, 0, 0.05).cross(f) / 0.05).norm(), 1e-12);
  }
}

TEST(FerrariCanny, InvariantUnderTranslationAndScale) {
  std::mt19937_64 rng(7);
  ContactArray points, normals;
  tilted_octahedron(rng, points, normals);
  const double q1 = ferrari_canny_q1({}, points, normals, Vec3::Zero(), 0.05);
  ASSERT_GT(q1, 0);
  const Vec3 shift(0.3, -0.2, 1.0);
  const ContactArray moved = points.rowwise() + shift.transpose();
  EXPECT_NEAR(ferrari_canny_q1({}, moved, normals, shift, 0.05), q1, 1e-9);
  const ContactArray scaled = 3.0 * points;
  EXPECT_NEAR(ferrari_canny_q1({}, scaled, normals, Vec3::Zero(), 0.15), q1, 1e-9);
}

TEST(FerrariCanny, DegenerateContacts) {
  ContactArray points(2, 3), normals(2, 3);
  points << 0.05, 0, 0, -0.05, 0, 0;
  normals << 1, 0, 0, -1, 0, 0;
  EXPECT_EQ(ferrari_canny_q1({}, points, normals, Vec3::Zero(), 0.05), 0.0);  // no torque about x
  EXPECT_EQ(ferrari_canny_q1({}, points.topRows(1), normals.topRows(1), Vec3::Zero(), 0.05), 0.0);
  ContactArray zero_normals = ContactArray::Zero(4, 3), some_points = ContactArray::Random(4, 3);
  EXPECT_EQ(ferrari_canny_q1({}, some_points, zero_normals, Vec3::Zero(), 0.05), 0.0);
  EXPECT_THROW(ferrari_canny_q1({}, points, normals, Vec3::Zero(), 0.0), Error);
  EXPECT_THROW(ferrari_canny_q1({}, points, normals.topRows(1), Vec3::Zero(), 0.05), Error);
}

TEST(FerrariCanny, ThreadSafeAndDeterministic) {
  std::mt19937_64 rng(11);
  ContactArray points, normals;
  tilted_octahedron(rng, points, normals);
  const FerrariCannyParams params;
  const double expected = ferrari_canny_q1(params, points, normals, Vec3::Zero(), 0.05);
  EXPECT_GT(expected, 0);
  std::vector<double> results(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 5; ++repeat)
        results[t] = ferrari_canny_q1(params, points, normals, Vec3::Zero(), 0.05);
    });
  for (auto& thread : threads) thread.join();
  for (double r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace graspqp
