// Signed distance field on the YCB mug: exact distances vs brute force, sign vs the generalized winding
// number, gradient and Jacobian vs finite differences (analytic shapes: test_signed_distance_shapes.cpp).
#include <graspqp/check.hpp>

#include "sdf_reference.hpp"

namespace graspqp {
namespace {

// ---------------------------------------------------------------------------------------------
// YCB mug
// ---------------------------------------------------------------------------------------------

TEST(signedDistanceMug, RandomPointsAroundTheMug) {
  Rng rng(1);
  Eigen::AlignedBox3d box = mug().bounding_box();
  box.extend(box.min() - Vec3::Constant(0.01)).extend(box.max() + Vec3::Constant(0.01));
  std::vector<Vec3> points;
  for (int i = 0; i < 600; ++i) points.push_back(rng.in_box(box));
  const int ambiguous = check_against_references(mug_sdf(), points, "box");
  EXPECT_LE(ambiguous, 3);
  // Both signs occur (the walls are thin, so inside points are rarer).
  const auto inside =
      std::count_if(points.begin(), points.end(), [](const Vec3& p) { return mug_sdf().query(p).distance < 0; });
  EXPECT_GT(inside, 10);
}

TEST(signedDistanceMug, NearSurfaceBothSides) {
  Rng rng(2);
  std::vector<Vec3> points;
  for (const auto& s : sample_surface(mug(), 800, 7)) {
    const double offset = rng.log_uniform(1e-7, 1e-2) * (rng.uniform(0, 1) < 0.5 ? -1 : 1);
    points.push_back(s.position + offset * s.normal);
  }
  EXPECT_LE(check_against_references(mug_sdf(), points, "near surface"), 4);
}

TEST(signedDistanceMug, AroundTheHandle) {
  // The handle is the part beyond the cup's body on the -x side: points through its hole and its
  // thin material test sign changes over short distances.
  const auto box = mug().bounding_box();
  Eigen::AlignedBox3d handle(Vec3(box.min().x() - 0.005, box.min().y(), box.min().z()),
                             Vec3(box.min().x() + 0.025, box.max().y(), box.max().z()));
  Rng rng(3);
  std::vector<Vec3> points;
  for (int i = 0; i < 400; ++i) points.push_back(rng.in_box(handle));
  for (const auto& s : sample_surface(mug(), 20000, 11)) {
    if (!handle.contains(s.position) || points.size() >= 900) continue;
    points.push_back(s.position + rng.uniform(-3e-3, 3e-3) * s.normal);
  }
  ASSERT_GT(points.size(), 800u);
  int inside = 0;
  for (const auto& p : points) inside += mug_sdf().query(p).distance < 0;
  EXPECT_GT(inside, 100);  // the handle material is hit, not only air
  EXPECT_LE(check_against_references(mug_sdf(), points, "handle"), 4);
}

TEST(signedDistanceMug, PointsAtVerticesAndEdges) {
  // Points offset from a vertex or edge along/against its normal: the closest feature is the vertex or
  // edge itself, where ties between the faces sharing it must not flip the sign.
  const TriangleMesh& m = mug();
  const auto normals = area_weighted_vertex_normals(m);
  std::vector<Vec3> points;
  for (size_t v = 0; v < m.vertices.size(); v += 41)
    for (double delta : {1e-3, 1e-5, 1e-8, -1e-8, -1e-5, -1e-3}) points.push_back(m.vertices[v] + delta * normals[v]);
  for (size_t f = 0; f < m.faces.size(); f += 97) {
    const auto& t = m.faces[f];
    const Vec3 n = (normals[t[0]] + normals[t[1]]).normalized();
    for (double along : {0.5, 0.1})
      for (double delta : {1e-4, 1e-7, -1e-7, -1e-4})
        points.push_back((1 - along) * m.vertices[t[0]] + along * m.vertices[t[1]] + delta * n);
  }
  EXPECT_LE(check_against_references(mug_sdf(), points, "vertex/edge"), 6);
  // Exactly on a vertex: zero distance, unit normal from the pseudonormal.
  const SdfResult on_vertex = mug_sdf().query(m.vertices[100]);
  EXPECT_EQ(on_vertex.distance, 0);
  EXPECT_EQ(on_vertex.feature, 2);
  EXPECT_NEAR(on_vertex.normal.norm(), 1, 1e-12);
  EXPECT_GT(on_vertex.normal.dot(normals[100]), 0.5);
}

TEST(signedDistanceMug, FarAwayPoints) {
  // Large coordinates stress the float slack of Embree's culling.
  Rng rng(4);
  std::vector<Vec3> points;
  for (double r : {0.3, 3.0, 300.0})
    for (int i = 0; i < 20; ++i) points.push_back(r * rng.direction());
  check_against_references(mug_sdf(), points, "far");
  for (const auto& p : points) EXPECT_GT(mug_sdf().query(p).distance, 0);
  // Absurdly far (the second beyond float range): an answer all the same, outside, pointing away.
  // Rounding of |p - c|^2 hides the mug's size here, so only that much is exact.
  double mesh_radius = 0;
  for (const auto& v : mug().vertices) mesh_radius = std::max(mesh_radius, v.norm());
  for (const Vec3& huge : {Vec3(1e15, -3e14, 2e14), Vec3(1e39, -3e38, 2e38)}) {
    const SdfResult r = mug_sdf().query(huge);
    ASSERT_GE(r.face, 0);
    EXPECT_GT(r.distance, 0);
    EXPECT_NEAR(r.distance, huge.norm(), mesh_radius + 1e-15 * huge.norm());
    EXPECT_LT((r.normal - huge.normalized()).norm(), 1e-9);
  }
}

TEST(signedDistanceMug, ANearFaceGivesTheSameResultBitForBit) {
  // The hint only bounds the search: the closest face itself, a neighbour one step away, a face across
  // the mesh and none must all give the result of the plain query, field by field, and at points on
  // edges and vertices (ties between faces) as well.
  Rng rng(5);
  const TriangleMesh& m = mug();
  const int faces = static_cast<int>(m.faces.size());
  Eigen::AlignedBox3d box = m.bounding_box();
  box.extend(box.min() - Vec3::Constant(0.01)).extend(box.max() + Vec3::Constant(0.01));
  std::vector<Vec3> points;
  for (int i = 0; i < 300; ++i) points.push_back(rng.in_box(box));
  for (const auto& s : sample_surface(m, 300, 13))
    points.push_back(s.position + rng.log_uniform(1e-7, 1e-2) * (rng.uniform(0, 1) < 0.5 ? -1 : 1) * s.normal);
  for (int i = 0; i < 50; ++i) points.push_back(m.vertices[rng.uniform_int(static_cast<int>(m.vertices.size()))]);
  for (int i = 0; i < 50; ++i) {
    const auto& f = m.faces[rng.uniform_int(faces)];
    points.push_back(0.5 * (m.vertices[f[0]] + m.vertices[f[1]]));
  }
  int hinted = 0;
  for (const Vec3& p : points) {
    const SdfResult plain = mug_sdf().query(p);
    const Vec3 nearby = p + 5e-4 * rng.direction();  // the same point one small step before
    for (int face : {plain.face, mug_sdf().query(nearby).face, rng.uniform_int(faces), -1}) {
      const SdfResult r = mug_sdf().query(p, face);
      ASSERT_EQ(r.distance, plain.distance) << "face " << face;
      ASSERT_EQ(r.face, plain.face) << "face " << face;
      ASSERT_EQ(r.feature, plain.feature);
      for (int k = 0; k < 3; ++k) {
        ASSERT_EQ(r.normal[k], plain.normal[k]);
        ASSERT_EQ(r.closest[k], plain.closest[k]);
        ASSERT_EQ(r.edge_direction[k], plain.edge_direction[k]);
      }
      hinted += face >= 0;
    }
  }
  EXPECT_GT(hinted, 1000);
  EXPECT_THROW(mug_sdf().query(Vec3::Zero(), faces), InternalError);
  EXPECT_THROW(mug_sdf().query(Vec3(NAN, 0, 0), 0), Error);
}

// Central-difference gradient, or nothing when the closest point jumps within the stencil (near the
// medial axis, where the signed distance is not differentiable).
std::optional<Vec3> finite_difference_gradient(const SignedDistanceField& sdf, const Vec3& p, double h) {
  const SdfResult center = sdf.query(p);
  Vec3 g;
  for (int i = 0; i < 3; ++i) {
    const SdfResult plus = sdf.query(p + h * Vec3::Unit(i)), minus = sdf.query(p - h * Vec3::Unit(i));
    if ((plus.closest - center.closest).norm() > 10 * h || (minus.closest - center.closest).norm() > 10 * h) return {};
    g[i] = (plus.distance - minus.distance) / (2 * h);
  }
  return g;
}

std::vector<Vec3> smoothness_test_points(std::uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<Vec3> points;
  for (const auto& s : sample_surface(mug(), n, seed)) {
    const double offset = rng.log_uniform(3e-4, 1e-2) * (rng.uniform(0, 1) < 0.5 ? -1 : 1);
    points.push_back(s.position + offset * s.normal + rng.uniform(0, 2e-3) * rng.direction());
  }
  return points;
}

TEST(signedDistanceMug, NormalIsTheGradient) {
  int checked = 0;
  for (const Vec3& p : smoothness_test_points(5, 400)) {
    const SdfResult r = mug_sdf().query(p);
    if (std::abs(r.distance) < 1e-4) continue;
    const auto g = finite_difference_gradient(mug_sdf(), p, 1e-7);
    if (!g) continue;
    ++checked;
    EXPECT_LT((*g - r.normal).norm(), 1e-5)
        << "p=" << p.transpose() << " d=" << r.distance << " fd=" << g->transpose() << " n=" << r.normal.transpose();
  }
  EXPECT_GT(checked, 300);
}

TEST(signedDistanceMug, NormalJacobianMatchesFiniteDifferences) {
  const double h = 1e-7;
  int by_feature[3] = {0, 0, 0};
  std::vector<Vec3> points = smoothness_test_points(6, 600);
  // Vertex regions are small: add points straight off vertices (convex ones outside, concave inside).
  const auto normals = area_weighted_vertex_normals(mug());
  Rng rng(13);
  for (size_t v = 0; v < mug().vertices.size(); v += 37)
    points.push_back(mug().vertices[v] + rng.log_uniform(3e-4, 3e-3) * (rng.uniform(0, 1) < 0.5 ? -1 : 1) * normals[v]);
  for (const Vec3& p : points) {
    const SdfResult r = mug_sdf().query(p);
    if (std::abs(r.distance) < 1e-4) continue;
    // Only where every stencil point has the same closest feature (the normal is smooth there).
    Mat3 fd;
    bool same_feature = true;
    for (int i = 0; i < 3 && same_feature; ++i) {
      const SdfResult plus = mug_sdf().query(p + h * Vec3::Unit(i)), minus = mug_sdf().query(p - h * Vec3::Unit(i));
      same_feature =
          plus.face == r.face && minus.face == r.face && plus.feature == r.feature && minus.feature == r.feature;
      fd.col(i) = (plus.normal - minus.normal) / (2 * h);
    }
    if (!same_feature) continue;
    ++by_feature[r.feature];
    const Mat3 J = normal_jacobian(r);
    const double scale = std::max(1.0, J.cwiseAbs().maxCoeff());
    EXPECT_LT((J - fd).cwiseAbs().maxCoeff(), 1e-5 * scale)
        << "feature " << r.feature << " d=" << r.distance << "\nJ=\n"
        << J << "\nfd=\n"
        << fd;
    EXPECT_LT((J * r.normal).norm(), 1e-9 * scale);  // moving along the normal does not turn it
  }
  // All three cases are exercised, inside and outside.
  EXPECT_GT(by_feature[0], 50);
  EXPECT_GT(by_feature[1], 20);
  EXPECT_GT(by_feature[2], 5);
}

}  // namespace
}  // namespace graspqp
