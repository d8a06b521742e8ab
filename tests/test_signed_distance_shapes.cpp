// Signed distance field on analytic and hard shapes (sphere, box, concave and sharp features, open
// meshes, unions of parts), query_within, thread safety and input errors.
#include "sdf_reference.hpp"

namespace graspqp {
namespace {

// ---------------------------------------------------------------------------------------------
// Analytic shapes
// ---------------------------------------------------------------------------------------------

TEST(signedDistanceSphere, BruteForceAndAnalytic) {
  const double radius = 0.05;
  const TriangleMesh sphere = make_sphere(radius, 3);
  const SignedDistanceField sdf(sphere);
  // The icosphere lies between its inscribed ball (radius r_in) and the sphere, so its signed
  // distance lies between theirs: 0 <= sd - (|p| - r) <= r - r_in.
  double r_in = radius;
  for (int f = 0; f < static_cast<int>(sphere.faces.size()); ++f)
    r_in = std::min(r_in, sphere.face_normal(f).dot(sphere.vertices[sphere.faces[f][0]]));
  ASSERT_LT(radius - r_in, 0.01 * radius);

  Rng rng(7);
  std::vector<Vec3> points;
  for (int i = 0; i < 300; ++i) points.push_back(rng.uniform(0, 2.5 * radius) * rng.direction());
  for (int i = 0; i < 200; ++i) points.push_back(radius * (1 + rng.uniform(-0.02, 0.02)) * rng.direction());
  check_against_references(sdf, points, "sphere");
  for (const Vec3& p : points) {
    const double d = sdf.query(p).distance;
    const double analytic = p.norm() - radius;
    EXPECT_GE(d - analytic, -1e-15) << p.transpose();
    EXPECT_LE(d - analytic, radius - r_in + 1e-15) << p.transpose();
  }
}

// Exact signed distance of an axis-aligned box with half extents h centred at the origin.
double box_sdf(const Vec3& p, const Vec3& h) {
  const Vec3 q = p.cwiseAbs() - h;
  return q.cwiseMax(0.0).norm() + std::min(q.maxCoeff(), 0.0);
}

TEST(signedDistanceBox, ExactEverywhere) {
  const Vec3 size(0.04, 0.06, 0.1), h = size / 2;
  const SignedDistanceField sdf(make_box(size));
  Rng rng(8);
  std::vector<Vec3> points;
  const Eigen::AlignedBox3d around(-2 * h, 2 * h);
  for (int i = 0; i < 1000; ++i) points.push_back(rng.in_box(around));
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 sign((corner & 1) ? 1 : -1, (corner & 2) ? 1 : -1, (corner & 4) ? 1 : -1);
    const Vec3 c = sign.cwiseProduct(h);
    for (int i = 0; i < 30; ++i) {  // outside near the corner, in its vertex region
      const Vec3 d = rng.direction().cwiseAbs().cwiseProduct(sign);
      points.push_back(c + rng.log_uniform(1e-9, 1e-2) * d);
    }
    for (int axis = 0; axis < 3; ++axis)
      for (int i = 0; i < 10; ++i) {  // outside near an edge, in its edge region
        Vec3 p = c + rng.log_uniform(1e-9, 1e-2) * rng.direction().cwiseAbs().cwiseProduct(sign);
        p[axis] = rng.uniform(-0.9, 0.9) * h[axis];
        points.push_back(p);
      }
    points.push_back(c + 1e-3 * sign);  // exactly on the diagonal: three faces tie at the corner
    points.push_back(c - 1e-3 * sign);  // inside on the diagonal: three faces equally close
  }
  for (const Vec3& p : points) {
    const SdfResult r = sdf.query(p);
    const double exact = box_sdf(p, h);
    ASSERT_NEAR(r.distance, exact, 1e-12) << p.transpose();
    // Analytic gradient where it is unique.
    const Vec3 q = p.cwiseAbs() - h;
    if (exact > 1e-9) {
      const Vec3 c = p.cwiseMax(-h).cwiseMin(h);
      // (p - c)/|p - c| loses ~1e-16 |c| / |p - c| to rounding of the coordinates.
      EXPECT_LT((r.normal - (p - c).normalized()).norm(), 1e-12 + 1e-16 / exact) << p.transpose();
      EXPECT_LT((r.closest - c).norm(), 1e-12);
    } else if (exact < -1e-9) {
      int axis;
      const double top = q.maxCoeff(&axis);
      Vec3 rest = q;
      rest[axis] = -std::numeric_limits<double>::infinity();
      if (top - rest.maxCoeff() > 1e-9) {
        EXPECT_LT((r.normal - Vec3::Unit(axis) * (p[axis] > 0 ? 1 : -1)).norm(), 1e-12) << p.transpose();
      }
    }
  }
  // Points on the corner diagonal: the closest feature is the corner vertex.
  const SdfResult diagonal = sdf.query(h + Vec3::Constant(1e-3));
  EXPECT_EQ(diagonal.feature, 2);
  EXPECT_NEAR(diagonal.distance, std::sqrt(3.0) * 1e-3, 1e-15);
  EXPECT_LT((diagonal.closest - h).norm(), 1e-15);
}

TEST(signedDistanceBox, NormalJacobianAnalytic) {
  const Vec3 h(0.02, 0.03, 0.05);
  const SignedDistanceField sdf(make_box(2 * h));
  // Outside next to the +x+y edge (direction z): n = (1,1,0)/sqrt2, J = (I - n n^T - e_z e_z^T)/d.
  const Vec3 p(h.x() + 0.01, h.y() + 0.01, 0.01);
  const SdfResult r = sdf.query(p);
  ASSERT_EQ(r.feature, 1);
  EXPECT_NEAR(std::abs(r.edge_direction.z()), 1, 1e-15);
  const Vec3 n = Vec3(1, 1, 0).normalized();
  const Mat3 expected = (Mat3::Identity() - n * n.transpose() - Vec3::UnitZ() * Vec3::UnitZ().transpose()) / r.distance;
  EXPECT_LT((normal_jacobian(r) - expected).cwiseAbs().maxCoeff(), 1e-9);
  // Face region: the normal is constant. Above the side's centre the closest point lies on the
  // diagonal between its two triangles, a flat edge, which must count as the face region too.
  for (const Vec3& q : {Vec3(0.003, -0.007, h.z() + 0.01), Vec3(0, 0, h.z() + 0.01), Vec3(0, 0, h.z() - 0.001)}) {
    const SdfResult face = sdf.query(q);
    EXPECT_EQ(face.feature, 0) << q.transpose();
    EXPECT_EQ(normal_jacobian(face), Mat3::Zero()) << q.transpose();
    EXPECT_LT((face.normal - Vec3::UnitZ()).norm(), 1e-15);
  }
  // Outside the corner: J = (I - n n^T)/d.
  const SdfResult corner = sdf.query(h + Vec3(0.01, 0.02, 0.03));
  ASSERT_EQ(corner.feature, 2);
  const Vec3 nc = Vec3(0.01, 0.02, 0.03).normalized();
  EXPECT_LT(
      (normal_jacobian(corner) - (Mat3::Identity() - nc * nc.transpose()) / corner.distance).cwiseAbs().maxCoeff(),
      1e-9);
}

// L-shaped prism: a concave (reflex) vertical edge and reflex vertices shared by many triangles.
TriangleMesh make_l_prism() {
  const std::vector<Eigen::Vector2d> outline = {{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}};  // counter-clockwise
  TriangleMesh m;
  for (double z : {0.0, 1.0})
    for (const auto& q : outline) m.vertices.emplace_back(q.x(), q.y(), z);
  const int n = 6;
  // Caps: fan from the reflex corner (index 3), which sees the whole polygon.
  for (int i = 4; i < 4 + n - 2; ++i) {
    const int a = i % n, b = (i + 1) % n;
    m.faces.emplace_back(3, b, a);              // bottom, facing -z
    m.faces.emplace_back(n + 3, n + a, n + b);  // top, facing +z
  }
  for (int i = 0; i < n; ++i) {
    const int j = (i + 1) % n;
    m.faces.emplace_back(i, j, n + j);
    m.faces.emplace_back(i, n + j, n + i);
  }
  return m;
}

TEST(signedDistanceConcave, ReflexEdgesAndVertices) {
  const TriangleMesh prism = make_l_prism();
  ASSERT_EQ(count_open_edges(prism), 0);
  const SignedDistanceField sdf(prism);
  Rng rng(9);
  std::vector<Vec3> points;
  // Around the reflex edge (1,1,z) and the reflex vertices (1,1,0) and (1,1,1), at many scales.
  for (const Vec3& anchor : {Vec3(1, 1, 0.5), Vec3(1, 1, 0), Vec3(1, 1, 1), Vec3(0, 0, 0), Vec3(2, 1, 1)})
    for (int i = 0; i < 200; ++i) points.push_back(anchor + rng.log_uniform(1e-9, 0.3) * rng.direction());
  // Exact ties: the bisector planes of the reflex edge, inside and outside.
  for (double t : {1e-6, 1e-3, 0.1}) {
    points.push_back(Vec3(1 + t, 1 + t, 0.5));
    points.push_back(Vec3(1 - t, 1 - t, 0.5));
    points.push_back(Vec3(1 + t, 1 + t, -t));
    points.push_back(Vec3(1 - t, 1 - t, t));
  }
  EXPECT_EQ(check_against_references(sdf, points, "L prism"), 0);
  // Outside, the signed distance of a union is the minimum of the parts' (exact there).
  for (const Vec3& p : points) {
    const double a = box_sdf(p - Vec3(1, 0.5, 0.5), Vec3(1, 0.5, 0.5));
    const double b = box_sdf(p - Vec3(0.5, 1, 0.5), Vec3(0.5, 1, 0.5));
    if (std::min(a, b) > 0) {
      EXPECT_NEAR(sdf.query(p).distance, std::min(a, b), 1e-12) << p.transpose();
    }
  }
}

// Closed triangular prism along z over a 2D triangle (counter-clockwise), z in [0, length].
TriangleMesh make_prism(const std::array<Eigen::Vector2d, 3>& triangle, double length) {
  TriangleMesh m;
  for (double z : {0.0, length})
    for (const auto& q : triangle) m.vertices.emplace_back(q.x(), q.y(), z);
  m.faces = {{0, 2, 1}, {3, 4, 5}};  // bottom (-z), top (+z)
  for (int i = 0; i < 3; ++i) {
    const int j = (i + 1) % 3;
    m.faces.emplace_back(i, j, 3 + j);
    m.faces.emplace_back(i, 3 + j, 3 + i);
  }
  return m;
}

TEST(signedDistanceSharpFeatures, SpikeAndKnifeEdge) {
  // Sharp features (dihedral angles well below 90 degrees) are where a single face normal gives the
  // wrong sign: outside a sharp edge or apex, p - c can point against a neighbouring face's normal.
  // Only the pseudonormal of the shared edge/vertex is right for every face that ties there.
  TriangleMesh spike;  // thin pyramid: apex far above a small base
  spike.vertices = {{0.01, 0, 0}, {-0.005, 0.00866, 0}, {-0.005, -0.00866, 0}, {0, 0, 0.1}};
  spike.faces = {{0, 2, 1}, {0, 1, 3}, {1, 2, 3}, {2, 0, 3}};
  const TriangleMesh knife =
      make_prism({Eigen::Vector2d(0, 0), Eigen::Vector2d(0.05, -0.004), Eigen::Vector2d(0.05, 0.004)}, 0.03);
  for (const TriangleMesh* mesh : {static_cast<const TriangleMesh*>(&spike), &knife}) {
    ASSERT_EQ(count_open_edges(*mesh), 0);
    const SignedDistanceField sdf(*mesh);
    Rng rng(14);
    std::vector<Vec3> points;
    // Around every vertex and every edge midpoint, in all directions, at several scales.
    std::vector<Vec3> anchors = mesh->vertices;
    for (const auto& t : mesh->faces)
      for (int k = 0; k < 3; ++k) anchors.push_back(0.5 * (mesh->vertices[t[k]] + mesh->vertices[t[(k + 1) % 3]]));
    for (const Vec3& anchor : anchors)
      for (double delta : {1e-7, 1e-4, 3e-3})
        for (int i = 0; i < 60; ++i) points.push_back(anchor + delta * rng.direction());
    EXPECT_EQ(check_against_references(sdf, points, mesh == &spike ? "spike" : "knife"), 0);
  }
}

TEST(signedDistanceOpenMesh, BoxMissingOneSide) {
  TriangleMesh box = make_box(Vec3(1, 1, 1));
  box.faces.erase(box.faces.begin(), box.faces.begin() + 2);  // remove the -z side
  ASSERT_EQ(count_open_edges(box), 4);
  const SignedDistanceField sdf(box);
  Rng rng(10);
  std::vector<Vec3> points;
  for (int i = 0; i < 300; ++i)
    points.push_back(rng.in_box(Eigen::AlignedBox3d(Vec3::Constant(-1), Vec3::Constant(1))));
  check_against_references(sdf, points, "open box", /*check_sign=*/false);
  // Away from the hole the sign is still right; next to the open rim the boundary edge uses its face normal.
  EXPECT_GT(sdf.query(Vec3(0, 0, 0.8)).distance, 0);
  EXPECT_LT(sdf.query(Vec3(0, 0, 0.3)).distance, 0);
  EXPECT_GT(sdf.query(Vec3(0.6, 0, -0.5)).distance, 0);
  EXPECT_LT(sdf.query(Vec3(0.45, 0, -0.45)).distance, 0);
}

// The bundled apple has an open stem tube (24 open edges): next to its rim no pseudonormal can
// tell inside from outside, so the sign there comes from the winding number.
TEST(signedDistanceOpenMesh, AppleWithOpenStemAgreesWithWindingNumber) {
  TriangleMesh apple = load_mesh(test::object_path("misc/apple.ply"));
  ASSERT_GT(count_open_edges(apple), 0);
  const SignedDistanceField sdf(apple);
  EXPECT_LT(sdf.query(Vec3(0, 0.04, 0)).distance, 0);  // the centre, nearest to the stem's open rim
  Rng rng(3);
  std::vector<Vec3> points;
  for (int i = 0; i < 300; ++i) points.push_back(rng.in_box(sdf.mesh().bounding_box()));
  // Near the stem, where the nearest feature is often on the rim.
  for (int i = 0; i < 200; ++i)
    points.push_back(rng.in_box(Eigen::AlignedBox3d(Vec3(-0.01, 0.03, -0.01), Vec3(0.01, 0.075, 0.01))));
  EXPECT_LE(check_against_references(sdf, points, "apple"), 5);
}

// ---------------------------------------------------------------------------------------------
// API behaviour
// ---------------------------------------------------------------------------------------------

bool same(const SdfResult& a, const SdfResult& b) {
  return a.distance == b.distance && a.normal == b.normal && a.closest == b.closest && a.face == b.face &&
         a.feature == b.feature && a.edge_direction == b.edge_direction;
}

TEST(signedDistanceQueryWithin, AgreesWithQuery) {
  Rng rng(11);
  Eigen::AlignedBox3d box = mug().bounding_box();
  box.extend(box.min() - Vec3::Constant(0.05)).extend(box.max() + Vec3::Constant(0.05));
  int hits = 0, misses = 0;
  for (int i = 0; i < 2000; ++i) {
    const Vec3 p = rng.in_box(box);
    const double max_distance = rng.log_uniform(1e-5, 0.05);
    const SdfResult full = mug_sdf().query(p);
    SdfResult out;
    out.face = 123456;  // sentinel: must stay untouched on a miss
    const bool hit = mug_sdf().query_within(p, max_distance, out);
    EXPECT_EQ(hit, std::abs(full.distance) <= max_distance);
    if (hit) {
      ++hits;
      EXPECT_TRUE(same(out, full));
    } else {
      ++misses;
      EXPECT_EQ(out.face, 123456);
    }
  }
  EXPECT_GT(hits, 100);
  EXPECT_GT(misses, 100);
}

TEST(signedDistanceQueryWithin, Boundary) {
  const Vec3 p(0.2, 0.1, 0.05);
  const double d = mug_sdf().query(p).distance;
  SdfResult out;
  EXPECT_TRUE(mug_sdf().query_within(p, d * (1 + 1e-12), out));
  EXPECT_EQ(out.distance, d);
  EXPECT_FALSE(mug_sdf().query_within(p, d * (1 - 1e-12), out));
  EXPECT_FALSE(mug_sdf().query_within(p, -1, out));
  EXPECT_FALSE(mug_sdf().query_within(p, 0.001, out));
}

TEST(signedDistanceThreads, ConcurrentQueriesMatchSequential) {
  Rng rng(12);
  Eigen::AlignedBox3d box = mug().bounding_box();
  std::vector<Vec3> points;
  for (int i = 0; i < 8000; ++i) points.push_back(rng.in_box(box));
  std::vector<SdfResult> sequential(points.size()), parallel(points.size());
  for (size_t i = 0; i < points.size(); ++i) sequential[i] = mug_sdf().query(points[i]);
  // Also build fields concurrently (a hand builds one per link).
  std::vector<std::thread> threads;
  const int n_threads = 8;
  for (int t = 0; t < n_threads; ++t)
    threads.emplace_back([&, t] {
      const SignedDistanceField own(make_box(Vec3(0.01, 0.02, 0.03 + 0.001 * t)));
      (void)own.query(Vec3::Zero());
      for (size_t i = t; i < points.size(); i += n_threads) parallel[i] = mug_sdf().query(points[i]);
    });
  for (auto& th : threads) th.join();
  for (size_t i = 0; i < points.size(); ++i) EXPECT_TRUE(same(sequential[i], parallel[i])) << i;
}

TEST(signedDistanceErrors, InvalidMeshOrQuery) {
  EXPECT_THROW(SignedDistanceField(TriangleMesh{}), Error);
  TriangleMesh bad = make_box(Vec3(1, 1, 1));
  bad.faces[0][1] = 99;
  EXPECT_THROW(SignedDistanceField(std::move(bad)), Error);
  EXPECT_THROW(mug_sdf().query(Vec3(std::nan(""), 0, 0)), Error);
  EXPECT_THROW(mug_sdf().query(Vec3(1e300, 0, 0)), Error);  // |p|^2 overflows
}

TEST(signedDistanceMug, ManyFieldsAreCheapToBuild) {
  // A hand builds ~20 fields; they share one Embree device.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    const SignedDistanceField sdf(make_sphere(0.01 + 0.001 * i, 3));
    EXPECT_NEAR(sdf.query(Vec3(1, 0, 0)).distance, 1 - (0.01 + 0.001 * i), 1e-3);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);
}

TEST(signedDistanceUnionOfParts, OverlappingBoxesHaveTheUnionsSign) {
  // Two crossing boxes appended into one mesh (as a LEAP link's box primitives): the merged mesh has
  // faces buried inside the other box, where the pseudonormal sign is wrong.
  TriangleMesh a = make_box(Vec3(0.04, 0.01, 0.01));
  TriangleMesh b = make_box(Vec3(0.01, 0.04, 0.01));
  transform_mesh(b, Eigen::Isometry3d(Eigen::Translation3d(0.005, 0.005, 0.002)));
  TriangleMesh both = a;
  append_mesh(both, b);
  SdfOptions union_options;
  union_options.union_of_parts = true;
  const SignedDistanceField merged(both), parts(both, union_options);
  auto union_sdf = [&](const Vec3& p) {
    return std::min(box_sdf(p, Vec3(0.02, 0.005, 0.005)),
                    box_sdf(p - Vec3(0.005, 0.005, 0.002), Vec3(0.005, 0.02, 0.005)));
  };
  Rng rng(21);
  int wrong_merged = 0, wrong_parts = 0, n = 0;
  for (int i = 0; i < 4000; ++i) {
    const Vec3 p = rng.in_box(Eigen::AlignedBox3d(Vec3(-0.025, -0.025, -0.01), Vec3(0.025, 0.03, 0.012)));
    const double truth = union_sdf(p);
    if (std::abs(truth) < 1e-6) continue;
    ++n;
    const SdfResult r = parts.query(p);
    wrong_merged += (merged.query(p).distance < 0) != (truth < 0);
    wrong_parts += (r.distance < 0) != (truth < 0);
    // Outside, the distance of a union is exactly the nearest part's; inside, |d| never exceeds the depth.
    if (truth > 0)
      EXPECT_NEAR(r.distance, truth, 1e-12) << p.transpose();
    else
      EXPECT_LE(-r.distance, -truth + 1e-12) << p.transpose();
    EXPECT_NEAR(r.normal.norm(), 1.0, 1e-9);
  }
  EXPECT_EQ(wrong_parts, 0);
  EXPECT_GT(wrong_merged, n / 100);  // the failure the option exists for
  std::printf("[union] wrong signs without union_of_parts: %d of %d\n", wrong_merged, n);
}

}  // namespace
}  // namespace graspqp
