// Mesh loading, primitives, welding and transforms.
#include <graspqp/error.hpp>
#include <graspqp/geometry/mesh.hpp>

#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <gtest/gtest.h>
#include <assimp/Importer.hpp>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <string>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

// Signed volume by the divergence theorem: positive iff the faces are wound outward.
double signed_volume(const TriangleMesh& m) {
  double v = 0;
  for (const auto& t : m.faces) v += m.vertices[t[0]].dot(m.vertices[t[1]].cross(m.vertices[t[2]]));
  return v / 6;
}

// Area-weighted sum of face normals; zero for any closed surface.
Vec3 normal_sum(const TriangleMesh& m) {
  Vec3 s = Vec3::Zero();
  for (int f = 0; f < static_cast<int>(m.faces.size()); ++f) s += m.face_area(f) * m.face_normal(f);
  return s;
}

// Every face of a convex primitive centred at the origin faces away from the origin.
void expect_outward_convex(const TriangleMesh& m) {
  for (int f = 0; f < static_cast<int>(m.faces.size()); ++f) {
    const auto& t = m.faces[f];
    const Vec3 centroid = (m.vertices[t[0]] + m.vertices[t[1]] + m.vertices[t[2]]) / 3;
    EXPECT_GT(m.face_normal(f).dot(centroid), 0) << "face " << f;
  }
}

// A scratch file removed at scope exit.
struct TempFile {
  fs::path path;
  TempFile(const std::string& name, const std::string& content) {
    path = fs::temp_directory_path() / ("graspqp_test_mesh_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path); }
};

void expect_load_error(const fs::path& path) {
  try {
    load_mesh(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "multi-line message: " << message;
  }
}

TEST(meshPrimitives, Box) {
  const TriangleMesh box = make_box(Vec3(1, 2, 3));
  EXPECT_EQ(box.vertices.size(), 8u);
  EXPECT_EQ(box.faces.size(), 12u);
  EXPECT_EQ(count_open_edges(box), 0);
  EXPECT_NEAR(box.surface_area(), 2 * (1 * 2 + 2 * 3 + 1 * 3), 1e-12);
  EXPECT_NEAR(signed_volume(box), 6, 1e-12);
  EXPECT_TRUE(box.bounding_box().min().isApprox(Vec3(-0.5, -1, -1.5)));
  EXPECT_TRUE(box.bounding_box().max().isApprox(Vec3(0.5, 1, 1.5)));
  expect_outward_convex(box);
  EXPECT_NEAR(box.face_area(0), 0.5 * 1 * 2, 1e-12);
}

TEST(meshPrimitives, Sphere) {
  const double r = 0.05;
  const TriangleMesh sphere = make_sphere(r, 3);
  EXPECT_EQ(sphere.faces.size(), 20u * 64);
  EXPECT_EQ(sphere.vertices.size(), 642u);  // V = F/2 + 2
  EXPECT_EQ(count_open_edges(sphere), 0);
  for (const auto& v : sphere.vertices) EXPECT_NEAR(v.norm(), r, 1e-15);
  expect_outward_convex(sphere);
  const double exact = 4.0 / 3 * std::numbers::pi * r * r * r;
  EXPECT_GT(signed_volume(sphere), 0.98 * exact);
  EXPECT_LT(signed_volume(sphere), exact);  // inscribed polyhedron
  EXPECT_LT(normal_sum(sphere).norm(), 1e-15);
}

TEST(meshPrimitives, Cylinder) {
  const double r = 0.02, len = 0.1;
  const int n = 32;
  const TriangleMesh cyl = make_cylinder(r, len, n);
  EXPECT_EQ(count_open_edges(cyl), 0);
  expect_outward_convex(cyl);
  // Inscribed regular n-gon prism.
  const double expected = 0.5 * n * r * r * std::sin(2 * std::numbers::pi / n) * len;
  EXPECT_NEAR(signed_volume(cyl), expected, 1e-15);
  EXPECT_NEAR(cyl.bounding_box().min().z(), -len / 2, 1e-15);
  EXPECT_NEAR(cyl.bounding_box().max().z(), len / 2, 1e-15);
}

TEST(meshTransform, RigidAndReflection) {
  TriangleMesh box = make_box(Vec3(1, 2, 3));
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.linear() = Eigen::AngleAxisd(0.7, Vec3(1, 2, 3).normalized()).toRotationMatrix();
  T.translation() = Vec3(0.3, -0.2, 5);
  transform_mesh(box, T);
  EXPECT_NEAR(signed_volume(box), 6, 1e-12);
  EXPECT_TRUE(box.vertices[7].isApprox(T * Vec3(0.5, 1, 1.5)));

  TriangleMesh mirrored = make_box(Vec3(1, 2, 3));
  Eigen::Isometry3d R = Eigen::Isometry3d::Identity();
  R.linear() = Vec3(-1, 1, 1).asDiagonal();
  transform_mesh(mirrored, R);
  EXPECT_NEAR(signed_volume(mirrored), 6, 1e-12) << "a reflection must keep the winding outward";
}

TEST(meshAppend, OffsetsIndices) {
  TriangleMesh a = make_box(Vec3(1, 1, 1));
  TriangleMesh b = make_box(Vec3(1, 1, 1));
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.translation() = Vec3(5, 0, 0);
  transform_mesh(b, T);
  append_mesh(a, b);
  EXPECT_EQ(a.vertices.size(), 16u);
  EXPECT_EQ(a.faces.size(), 24u);
  EXPECT_EQ(count_open_edges(a), 0);
  EXPECT_NEAR(signed_volume(a), 2, 1e-12);
  EXPECT_EQ(a.faces[12], Eigen::Vector3i(b.faces[0].array() + 8));
}

TEST(meshOpenEdges, BoxWithoutOneSide) {
  TriangleMesh box = make_box(Vec3(1, 1, 1));
  box.faces.erase(box.faces.begin(), box.faces.begin() + 2);  // the -z side
  EXPECT_EQ(count_open_edges(box), 4);
}

// Every face with its own three vertices, as a file with texture seams everywhere would be.
TriangleMesh split_faces(const TriangleMesh& m) {
  TriangleMesh split;
  for (const auto& t : m.faces) {
    const int base = static_cast<int>(split.vertices.size());
    for (int k = 0; k < 3; ++k) split.vertices.push_back(m.vertices[t[k]]);
    split.faces.emplace_back(base, base + 1, base + 2);
  }
  return split;
}

TEST(meshWeld, RestoresClosedMesh) {
  const TriangleMesh sphere = make_sphere(1, 2);
  TriangleMesh split = split_faces(sphere);
  ASSERT_GT(count_open_edges(split), 0);
  const int removed = weld_vertices(split);
  EXPECT_EQ(removed, static_cast<int>(3 * sphere.faces.size() - sphere.vertices.size()));
  EXPECT_EQ(split.vertices.size(), sphere.vertices.size());
  EXPECT_EQ(split.faces.size(), sphere.faces.size());
  EXPECT_EQ(count_open_edges(split), 0);
  EXPECT_NEAR(signed_volume(split), signed_volume(sphere), 1e-12);
}

TEST(meshWeld, ToleranceAndDegenerateFaces) {
  TriangleMesh m;
  m.vertices = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1e-10, 0, 0}, {0, 1 + 1e-8, 0}, {7, 7, 7}};
  m.faces = {{0, 1, 2}, {3, 1, 4}, {0, 3, 1}};  // last one collapses once 0 and 3 merge
  const int removed = weld_vertices(m, 1e-9);
  // 3 merges into 0 (1e-10 apart); 4 stays (1e-8 apart); 5 is unused and dropped.
  EXPECT_EQ(removed, 2);
  ASSERT_EQ(m.vertices.size(), 4u);
  ASSERT_EQ(m.faces.size(), 2u);
  EXPECT_EQ(m.faces[1][0], m.faces[0][0]);
  EXPECT_NE(m.faces[1][2], m.faces[0][2]);
}

TEST(meshWeld, AcrossCellBoundaries) {
  // Pairs straddling grid-cell boundaries of the spatial hash must still merge.
  TriangleMesh m;
  for (int i = 0; i < 200; ++i) {
    const Vec3 p(i * 1.2345e-9, -i * 7.77e-10, 0.3);
    m.vertices.push_back(p);
    m.vertices.push_back(p + Vec3(0.4e-9, -0.3e-9, 0.2e-9));
    m.vertices.push_back(p + Vec3(1, 0, 0));
    m.faces.emplace_back(3 * i, 3 * i + 2, 3 * i + 1);  // collapses: 3i and 3i+1 merge
  }
  weld_vertices(m, 0.6e-9);
  EXPECT_TRUE(m.faces.empty());
}

TEST(meshLoad, MugWeldsSeams) {
  const fs::path path = test::object_path("ycb/mug/textured.obj");
  // Raw assimp output: vertices are split at texture seams.
  Assimp::Importer importer;
  const aiScene* scene = importer.ReadFile(path.string(), aiProcess_Triangulate | aiProcess_JoinIdenticalVertices);
  ASSERT_NE(scene, nullptr);
  size_t raw_vertices = 0, raw_faces = 0;
  for (unsigned i = 0; i < scene->mNumMeshes; ++i) {
    raw_vertices += scene->mMeshes[i]->mNumVertices;
    raw_faces += scene->mMeshes[i]->mNumFaces;
  }

  // Welding the raw (seam-split) mesh closes it: at most 3 open edges remain on the scan.
  TriangleMesh raw;
  for (unsigned i = 0; i < scene->mNumMeshes; ++i) {
    const aiMesh& mesh = *scene->mMeshes[i];
    const int base = static_cast<int>(raw.vertices.size());
    for (unsigned v = 0; v < mesh.mNumVertices; ++v)
      raw.vertices.emplace_back(mesh.mVertices[v].x, mesh.mVertices[v].y, mesh.mVertices[v].z);
    for (unsigned f = 0; f < mesh.mNumFaces; ++f)
      if (mesh.mFaces[f].mNumIndices == 3)
        raw.faces.emplace_back(base + mesh.mFaces[f].mIndices[0], base + mesh.mFaces[f].mIndices[1],
                               base + mesh.mFaces[f].mIndices[2]);
  }
  const int raw_open_edges = count_open_edges(raw);
  EXPECT_GT(raw_open_edges, 100);
  EXPECT_GT(weld_vertices(raw), 0);
  EXPECT_LE(count_open_edges(raw), 3);
  EXPECT_LE(raw.vertices.size(), 8188u);

  const TriangleMesh mug = load_mesh(path);
  EXPECT_EQ(mug.vertices.size(), raw.vertices.size());
  EXPECT_EQ(mug.faces.size(), raw.faces.size());
  EXPECT_LT(mug.vertices.size(), raw_vertices);
  EXPECT_LE(mug.vertices.size(), 8188u);  // vertex count declared by the OBJ file
  EXPECT_GE(mug.faces.size(), raw_faces - 16);
  EXPECT_LE(count_open_edges(mug), 3);
  EXPECT_GT(signed_volume(mug), 0);
  const auto box = mug.bounding_box();
  EXPECT_GT(box.sizes().minCoeff(), 0.05);  // a mug is about 12 x 9 x 8 cm, in metres
  EXPECT_LT(box.sizes().maxCoeff(), 0.2);
}

TEST(meshLoad, ScaleIncludingMirror) {
  const fs::path path = test::object_path("ycb/mug/textured.obj");
  const TriangleMesh mug = load_mesh(path);
  const TriangleMesh scaled = load_mesh(path, Vec3(2, 3, 4));
  EXPECT_TRUE(scaled.bounding_box().sizes().isApprox(mug.bounding_box().sizes().cwiseProduct(Vec3(2, 3, 4))));
  EXPECT_NEAR(signed_volume(scaled), 24 * signed_volume(mug), 1e-12);
  const TriangleMesh mirrored = load_mesh(path, Vec3(-1, 1, 1));
  EXPECT_NEAR(signed_volume(mirrored), signed_volume(mug), 1e-15);
}

TEST(meshLoad, SchunkDaeMatchesCollisionStl) {
  // The visual DAE (Z_UP, nested node transforms with a 0.0254 scale) and the collision STL of the
  // same part describe the same shape in the same frame: assimp must not rotate the DAE to Y-up.
  for (const std::string name : {"base_link", "gripper_finger_down", "gripper_finger_up"}) {
    const TriangleMesh dae = load_mesh(test::hand_dir("schunk") / "meshes" / (name + ".dae"));
    const TriangleMesh stl = load_mesh(test::hand_dir("schunk") / "meshes" / "collisions" / (name + ".STL"));
    EXPECT_LE(count_open_edges(dae), 0) << name;
    EXPECT_LT((dae.bounding_box().min() - stl.bounding_box().min()).cwiseAbs().maxCoeff(), 1e-5) << name;
    EXPECT_LT((dae.bounding_box().max() - stl.bounding_box().max()).cwiseAbs().maxCoeff(), 1e-5) << name;
    // A Y-up rotation would swap the y and z extents, which differ clearly for these parts.
    EXPECT_GT(std::abs(stl.bounding_box().sizes().y() - stl.bounding_box().sizes().z()), 0.005) << name;
    // The collision STL is a simplified shell (base_link: 12% more volume), so only roughly equal.
    EXPECT_GT(signed_volume(dae), 0) << name;
    EXPECT_NEAR(signed_volume(dae), signed_volume(stl), 0.2 * signed_volume(stl)) << name;
  }
}

TEST(meshLoad, DaeUnitAndNestedNodes) {
  // Millimetre units, Z_UP, a tetrahedron instanced twice: inside a translated node containing a
  // rotated + translated node, and through a mirroring node (whose faces must be flipped back).
  const TempFile file("nested.dae", R"(<?xml version="1.0" encoding="utf-8"?>
<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1">
  <asset><unit name="millimeter" meter="0.001"/><up_axis>Z_UP</up_axis></asset>
  <library_geometries>
    <geometry id="tet-mesh" name="tet"><mesh>
      <source id="tet-pos">
        <float_array id="tet-pos-array" count="12">0 0 0  100 0 0  0 200 0  0 0 50</float_array>
        <technique_common><accessor source="#tet-pos-array" count="4" stride="3">
          <param name="X" type="float"/><param name="Y" type="float"/><param name="Z" type="float"/>
        </accessor></technique_common>
      </source>
      <vertices id="tet-vtx"><input semantic="POSITION" source="#tet-pos"/></vertices>
      <triangles count="4"><input semantic="VERTEX" source="#tet-vtx" offset="0"/><p>0 2 1  0 1 3  0 3 2  1 2 3</p></triangles>
    </mesh></geometry>
  </library_geometries>
  <library_visual_scenes>
    <visual_scene id="Scene">
      <node id="outer"><translate>10 0 0</translate>
        <node id="inner"><matrix>1 0 0 0  0 0 -1 0  0 1 0 5  0 0 0 1</matrix>
          <instance_geometry url="#tet-mesh"/>
        </node>
      </node>
      <node id="mirror"><matrix>-1 0 0 -500  0 1 0 0  0 0 1 0  0 0 0 1</matrix>
        <instance_geometry url="#tet-mesh"/>
      </node>
    </visual_scene>
  </library_visual_scenes>
  <scene><instance_visual_scene url="#Scene"/></scene>
</COLLADA>
)");
  const TriangleMesh m = load_mesh(file.path);
  ASSERT_EQ(m.faces.size(), 8u);
  ASSERT_EQ(m.vertices.size(), 8u);
  EXPECT_EQ(count_open_edges(m), 0);
  // inner: x -> x, y -> z, z -> -y, plus 5 mm in z; outer: plus 10 mm in x; then millimetres -> metres.
  for (const Vec3& expected :
       {Vec3(0.010, 0, 0.005), Vec3(0.110, 0, 0.005), Vec3(0.010, 0, 0.205), Vec3(0.010, -0.050, 0.005),
        Vec3(-0.5, 0, 0), Vec3(-0.6, 0, 0), Vec3(-0.5, 0.2, 0), Vec3(-0.5, 0, 0.05)})
    EXPECT_TRUE(std::any_of(m.vertices.begin(), m.vertices.end(), [&](const Vec3& v) {
      return (v - expected).norm() < 1e-7;
    })) << expected.transpose();
  // Both copies wound outward: twice the tetrahedron's volume (0.1 x 0.2 x 0.05 / 6 m^3).
  EXPECT_NEAR(signed_volume(m), 2 * 0.1 * 0.2 * 0.05 / 6, 1e-9);
}

TEST(meshLoad, PlyAndStl) {
  const TriangleMesh apple = load_mesh(test::object_path("misc/apple.ply"));
  EXPECT_GT(apple.faces.size(), 100u);
  const TempFile stl("tetra.stl", R"(solid t
facet normal 0 0 -1
 outer loop
  vertex 0 0 0
  vertex 0 1 0
  vertex 1 0 0
 endloop
endfacet
facet normal 0 -1 0
 outer loop
  vertex 0 0 0
  vertex 1 0 0
  vertex 0 0 1
 endloop
endfacet
facet normal -1 0 0
 outer loop
  vertex 0 0 0
  vertex 0 0 1
  vertex 0 1 0
 endloop
endfacet
facet normal 1 1 1
 outer loop
  vertex 1 0 0
  vertex 0 1 0
  vertex 0 0 1
 endloop
endfacet
endsolid t
)");
  const TriangleMesh tetra = load_mesh(stl.path);
  EXPECT_EQ(tetra.vertices.size(), 4u);  // STL repeats corners per facet; welding joins them
  EXPECT_EQ(count_open_edges(tetra), 0);
  EXPECT_NEAR(signed_volume(tetra), 1.0 / 6, 1e-12);
}

TEST(meshLoadErrors, MissingFile) { expect_load_error(fs::temp_directory_path() / "graspqp_no_such_mesh_file.obj"); }

TEST(meshLoadErrors, Directory) { expect_load_error(fs::temp_directory_path()); }

TEST(meshLoadErrors, GarbageContent) {
  std::string bytes;
  for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<char>((i * 7919 + 13) % 251));
  for (const std::string ext : {"stl", "ply", "obj", "dae"}) {
    const TempFile file("garbage." + ext, bytes);
    expect_load_error(file.path);
  }
  const TempFile unknown("garbage.xyz123", "not a mesh\n");
  expect_load_error(unknown.path);
}

TEST(meshLoadErrors, EmptyObj) {
  const TempFile empty("empty.obj", "");
  expect_load_error(empty.path);
  const TempFile comments("comments.obj", "# only a comment\nv 0 0 0\nv 1 0 0\n");
  expect_load_error(comments.path);
}

TEST(meshLoadErrors, NonFiniteCoordinates) {
  const TempFile file("nonfinite.obj", "v 0 0 0\nv 1e999 0 0\nv 0 1 0\nf 1 2 3\n");
  expect_load_error(file.path);
}

TEST(meshLoadErrors, InvalidScale) {
  const fs::path path = test::object_path("ycb/mug/textured.obj");
  try {
    load_mesh(path, Vec3(1, 0, 1));
    FAIL() << "zero scale accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graspqp
