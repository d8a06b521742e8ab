// Triangle mesh loading (assimp), primitives, welding and transforms.
#include <graspqp/error.hpp>
#include <graspqp/geometry/mesh.hpp>

#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <assimp/Importer.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>

#include "geometry/mesh_scan.hpp"

namespace graspqp {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Per-face and whole-mesh measures
// ---------------------------------------------------------------------------------------------

Vec3 TriangleMesh::face_normal(int f) const {
  const auto& t = faces[f];
  const Vec3 n = (vertices[t[1]] - vertices[t[0]]).cross(vertices[t[2]] - vertices[t[0]]);
  const double len = n.norm();
  return len > 0 ? Vec3(n / len) : Vec3::Zero();  // degenerate faces have no direction
}

double TriangleMesh::face_area(int f) const {
  const auto& t = faces[f];
  return 0.5 * (vertices[t[1]] - vertices[t[0]]).cross(vertices[t[2]] - vertices[t[0]]).norm();
}

double TriangleMesh::surface_area() const {
  double area = 0;
  for (int f = 0; f < static_cast<int>(faces.size()); ++f) area += face_area(f);
  return area;
}

Eigen::AlignedBox3d TriangleMesh::bounding_box() const {
  Eigen::AlignedBox3d box;  // starts empty
  for (const auto& v : vertices) box.extend(v);
  return box;
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& problem) {
  throw Error(path.string() + ": " + problem);
}

// assimp's messages may span several lines; the project's errors are one line.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

Eigen::Matrix4d to_eigen(const aiMatrix4x4& m) {
  Eigen::Matrix4d out;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) out(r, c) = m[r][c];
  return out;
}

// The imported scene before post-processing: meshes and faces that exist, indices in range, every face at
// least one index.
void check_scene(const fs::path& path, const aiScene& scene) {
  if (scene.mNumMeshes > 0 && !scene.mMeshes) fail(path, "malformed mesh (no mesh data)");
  for (unsigned m = 0; m < scene.mNumMeshes; ++m) {
    const aiMesh* mesh = scene.mMeshes[m];
    if (!mesh || (mesh->mNumVertices > 0 && !mesh->mVertices) || (mesh->mNumFaces > 0 && !mesh->mFaces))
      fail(path, "malformed mesh (missing vertex or face data)");
    for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
      const aiFace& face = mesh->mFaces[f];
      if (face.mNumIndices == 0 || !face.mIndices) fail(path, "malformed mesh (a face without vertices)");
      for (unsigned k = 0; k < face.mNumIndices; ++k)
        if (face.mIndices[k] >= mesh->mNumVertices) fail(path, "a face refers to a vertex the mesh does not have");
    }
  }
}

std::string too_big(const char* what, long long count, long long limit) {
  return std::string("mesh too large: ") + std::to_string(count) + " " + what + ", more than the limit of " +
         std::to_string(limit) + " (docs/hardening.md)";
}

// Appends the triangles of every mesh referenced by `node` and its children, with the accumulated
// node transform applied (Collada files nest several transformed nodes). Refuses, before appending, a
// mesh that would take the total over the limits (a scene may reference one mesh from many nodes).
void collect_node(const fs::path& path, const aiScene& scene, const aiNode& node, const Eigen::Matrix4d& parent,
                  TriangleMesh& out, int depth = 0) {
  if (depth > 1000) fail(path, "scene nodes nested more than 1000 deep");
  const Eigen::Matrix4d world = parent * to_eigen(node.mTransformation);
  const Eigen::Matrix3d linear = world.topLeftCorner<3, 3>();
  const bool mirrored = linear.determinant() < 0;  // a mirroring node would turn the faces inside out
  for (unsigned i = 0; i < node.mNumMeshes; ++i) {
    if (node.mMeshes[i] >= scene.mNumMeshes) fail(path, "a scene node names a mesh the file does not hold");
    const aiMesh& mesh = *scene.mMeshes[node.mMeshes[i]];
    const long long vertices = static_cast<long long>(out.vertices.size()) + mesh.mNumVertices;
    const long long faces = static_cast<long long>(out.faces.size()) + mesh.mNumFaces;
    if (vertices > kMaxMeshVertices) fail(path, too_big("vertices", vertices, kMaxMeshVertices));
    if (faces > kMaxMeshTriangles) fail(path, too_big("faces", faces, kMaxMeshTriangles));
    const int base = static_cast<int>(out.vertices.size());
    for (unsigned v = 0; v < mesh.mNumVertices; ++v) {
      const aiVector3D& p = mesh.mVertices[v];
      out.vertices.emplace_back(linear * Vec3(p.x, p.y, p.z) + world.topRightCorner<3, 1>());
    }
    // Faces are triangles after assimp's triangulation; any polygon left is split into a fan (0, k, k + 1).
    for (unsigned f = 0; f < mesh.mNumFaces; ++f) {
      const aiFace& face = mesh.mFaces[f];
      if (face.mNumIndices < 3) continue;  // points and lines carry no surface
      for (unsigned k = 0; k < face.mNumIndices; ++k)
        if (face.mIndices[k] >= mesh.mNumVertices) fail(path, "a face refers to a vertex the mesh does not have");
      for (unsigned k = 1; k + 1 < face.mNumIndices; ++k) {
        if (static_cast<long long>(out.faces.size()) >= kMaxMeshTriangles)
          fail(path, too_big("triangles", kMaxMeshTriangles + 1ll, kMaxMeshTriangles));
        Eigen::Vector3i t(base + static_cast<int>(face.mIndices[0]), base + static_cast<int>(face.mIndices[k]),
                          base + static_cast<int>(face.mIndices[k + 1]));
        if (mirrored) std::swap(t[1], t[2]);
        out.faces.push_back(t);
      }
    }
  }
  for (unsigned c = 0; c < node.mNumChildren; ++c) collect_node(path, scene, *node.mChildren[c], world, out, depth + 1);
}

}  // namespace

TriangleMesh load_mesh(const fs::path& path, const Vec3& scale) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(path, "file not found");
  if (!fs::is_regular_file(path, ec)) fail(path, "not a regular file");
  if (!scale.allFinite() || (scale.array() == 0).any()) fail(path, "mesh scale must be finite and non-zero");
  // Size limits before anything is parsed into memory.
  const auto bytes = fs::file_size(path, ec);
  if (!ec && bytes > static_cast<std::uintmax_t>(kMaxMeshFileBytes))
    fail(path, "mesh file too large: " + std::to_string(bytes) + " bytes, more than the limit of " +
                   std::to_string(kMaxMeshFileBytes) + " (docs/hardening.md)");
  const mesh_scan::DeclaredSize declared = mesh_scan::scan(path);
  if (declared.triangles > kMaxMeshTriangles) fail(path, too_big("triangles", declared.triangles, kMaxMeshTriangles));
  if (declared.vertices > kMaxMeshVertices) fail(path, too_big("vertices", declared.vertices, kMaxMeshVertices));
  if (!declared.problem.empty()) fail(path, declared.problem);

  Assimp::Importer importer;
  // Keep Collada geometry in the file's own frame: assimp would otherwise rotate Z_UP files to Y-up,
  // while URDF consumers (ROS, Gazebo) use the coordinates as written. The <unit meter="..."> factor
  // is still applied by assimp (it scales the root node), so the result is in metres.
  importer.SetPropertyBool(AI_CONFIG_IMPORT_COLLADA_IGNORE_UP_DIRECTION, true);
  // Drop attributes that split vertices (normals, UVs, colours) so JoinIdenticalVertices merges seams.
  importer.SetPropertyInteger(AI_CONFIG_PP_RVC_FLAGS, aiComponent_NORMALS | aiComponent_TANGENTS_AND_BITANGENTS |
                                                          aiComponent_COLORS | aiComponent_TEXCOORDS |
                                                          aiComponent_BONEWEIGHTS | aiComponent_ANIMATIONS |
                                                          aiComponent_TEXTURES | aiComponent_LIGHTS |
                                                          aiComponent_CAMERAS | aiComponent_MATERIALS);
  // Read without post-processing, check the scene, then post-process: assimp 5.2's post-processing steps
  // crash or abort (assertions) on malformed faces that its importers let through (found by fuzzing;
  // fuzz/crashes/mesh_ply/).
  const aiScene* scene = importer.ReadFile(path.string(), 0);
  auto cannot_read = [&] {
    const std::string why = one_line(importer.GetErrorString());
    fail(path, "cannot read mesh" + (why.empty() ? std::string() : " (" + why + ")"));
  };
  if (!scene || !scene->mRootNode) cannot_read();
  check_scene(path, *scene);
  scene =
      importer.ApplyPostProcessing(aiProcess_RemoveComponent | aiProcess_Triangulate | aiProcess_JoinIdenticalVertices);
  if (!scene || !scene->mRootNode) cannot_read();

  TriangleMesh mesh;
  collect_node(path, *scene, *scene->mRootNode, Eigen::Matrix4d::Identity(), mesh);
  if (mesh.faces.empty()) fail(path, "no triangles");
  for (const auto& v : mesh.vertices)
    if (!v.allFinite()) fail(path, "non-finite vertex coordinates");

  for (auto& v : mesh.vertices) v = v.cwiseProduct(scale);
  if (scale.prod() < 0)
    for (auto& t : mesh.faces) std::swap(t[1], t[2]);

  // Scans duplicate vertices at texture seams (different UVs, same position); assimp's join keeps
  // some of them apart, so weld by position to make the mesh as closed as the file allows.
  const double extent = mesh.bounding_box().diagonal().norm();
  weld_vertices(mesh, 1e-9 * std::max(1.0, extent));
  if (mesh.faces.empty()) fail(path, "no triangles (all faces are degenerate)");
  return mesh;
}

// ---------------------------------------------------------------------------------------------
// Welding
// ---------------------------------------------------------------------------------------------

namespace {

struct CellKey {
  std::int64_t x, y, z;
  bool operator==(const CellKey&) const = default;
};

struct CellKeyHash {
  size_t operator()(const CellKey& k) const {
    // 64-bit mix of the three cell coordinates (splitmix-style finaliser).
    std::uint64_t h = static_cast<std::uint64_t>(k.x) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<std::uint64_t>(k.y) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(k.z) + 0x94D049BB133111EBull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return static_cast<size_t>(h);
  }
};

}  // namespace

int weld_vertices(TriangleMesh& mesh, double tolerance) {
  const int n = static_cast<int>(mesh.vertices.size());
  tolerance = std::max(tolerance, 0.0);
  // Cells 4x the tolerance: a tolerance ball overlaps one cell in most cases and at most two per axis.
  const double cell = tolerance > 0 ? 4 * tolerance : 1.0;
  const double tol_sq = tolerance * tolerance;
  auto cell_of = [&](double x) { return static_cast<std::int64_t>(std::floor(x / cell)); };

  // Representatives are the first vertex seen in each cluster, so the result is order-deterministic.
  std::unordered_map<CellKey, int, CellKeyHash> cell_head;  // cell -> first representative in it
  cell_head.reserve(static_cast<size_t>(n) * 2);
  std::vector<int> next_in_cell;  // intrusive list of representatives per cell
  std::vector<int> representatives;
  std::vector<int> remap(n, -1);
  for (int i = 0; i < n; ++i) {
    const Vec3& v = mesh.vertices[i];
    if (!v.allFinite()) {  // cannot be hashed; keep as its own vertex
      remap[i] = static_cast<int>(representatives.size());
      representatives.push_back(i);
      next_in_cell.push_back(-1);
      continue;
    }
    int found = -1;
    const CellKey lo{cell_of(v.x() - tolerance), cell_of(v.y() - tolerance), cell_of(v.z() - tolerance)};
    const CellKey hi{cell_of(v.x() + tolerance), cell_of(v.y() + tolerance), cell_of(v.z() + tolerance)};
    for (auto cx = lo.x; cx <= hi.x && found < 0; ++cx)
      for (auto cy = lo.y; cy <= hi.y && found < 0; ++cy)
        for (auto cz = lo.z; cz <= hi.z && found < 0; ++cz) {
          auto it = cell_head.find({cx, cy, cz});
          if (it == cell_head.end()) continue;
          for (int r = it->second; r >= 0; r = next_in_cell[r])
            if ((mesh.vertices[representatives[r]] - v).squaredNorm() <= tol_sq) {
              found = r;
              break;
            }
        }
    if (found >= 0) {
      remap[i] = found;
      continue;
    }
    const int r = static_cast<int>(representatives.size());
    representatives.push_back(i);
    next_in_cell.push_back(-1);
    const CellKey key{cell_of(v.x()), cell_of(v.y()), cell_of(v.z())};
    auto [it, inserted] = cell_head.try_emplace(key, r);
    if (!inserted) {
      next_in_cell[r] = it->second;
      it->second = r;
    }
    remap[i] = r;
  }

  // Remap faces, dropping those that collapsed to an edge or a point.
  std::vector<Eigen::Vector3i> faces;
  faces.reserve(mesh.faces.size());
  std::vector<char> used(representatives.size(), 0);
  for (const auto& t : mesh.faces) {
    const Eigen::Vector3i u(remap[t[0]], remap[t[1]], remap[t[2]]);
    if (u[0] == u[1] || u[1] == u[2] || u[2] == u[0]) continue;
    faces.push_back(u);
    used[u[0]] = used[u[1]] = used[u[2]] = 1;
  }
  // Compact: keep only vertices still referenced by a face.
  std::vector<int> compact(representatives.size(), -1);
  std::vector<Vec3> vertices;
  vertices.reserve(representatives.size());
  for (size_t r = 0; r < representatives.size(); ++r)
    if (used[r]) {
      compact[r] = static_cast<int>(vertices.size());
      vertices.push_back(mesh.vertices[representatives[r]]);
    }
  for (auto& t : faces) t = Eigen::Vector3i(compact[t[0]], compact[t[1]], compact[t[2]]);

  const int removed = n - static_cast<int>(vertices.size());
  mesh.vertices = std::move(vertices);
  mesh.faces = std::move(faces);
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Transforms and concatenation
// ---------------------------------------------------------------------------------------------

void transform_mesh(TriangleMesh& mesh, const Eigen::Isometry3d& T) {
  for (auto& v : mesh.vertices) v = T * v;
  if (T.linear().determinant() < 0)  // a reflection turns the winding inward; flip it back
    for (auto& t : mesh.faces) std::swap(t[1], t[2]);
}

void append_mesh(TriangleMesh& dst, const TriangleMesh& src) {
  const int offset = static_cast<int>(dst.vertices.size());
  dst.vertices.insert(dst.vertices.end(), src.vertices.begin(), src.vertices.end());
  dst.faces.reserve(dst.faces.size() + src.faces.size());
  for (const auto& t : src.faces) dst.faces.push_back(t.array() + offset);
}

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

TriangleMesh make_box(const Vec3& size) {
  const Vec3 h = 0.5 * size;
  TriangleMesh m;
  // Vertex i has coordinate sign bits (x: bit 0, y: bit 1, z: bit 2).
  for (int i = 0; i < 8; ++i)
    m.vertices.emplace_back((i & 1) ? h.x() : -h.x(), (i & 2) ? h.y() : -h.y(), (i & 4) ? h.z() : -h.z());
  // Two counter-clockwise (seen from outside) triangles per side.
  const int quads[6][4] = {{0, 2, 3, 1},   // -z
                           {4, 5, 7, 6},   // +z
                           {0, 1, 5, 4},   // -y
                           {2, 6, 7, 3},   // +y
                           {0, 4, 6, 2},   // -x
                           {1, 3, 7, 5}};  // +x
  for (const auto& q : quads) {
    m.faces.emplace_back(q[0], q[1], q[2]);
    m.faces.emplace_back(q[0], q[2], q[3]);
  }
  return m;
}

TriangleMesh make_sphere(double radius, int subdivisions) {
  TriangleMesh m;
  // Icosahedron.
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  m.vertices = {{-1, t, 0},  {1, t, 0},  {-1, -t, 0}, {1, -t, 0}, {0, -1, t},  {0, 1, t},
                {0, -1, -t}, {0, 1, -t}, {t, 0, -1},  {t, 0, 1},  {-t, 0, -1}, {-t, 0, 1}};
  for (auto& v : m.vertices) v.normalize();
  m.faces = {{0, 11, 5},  {0, 5, 1},  {0, 1, 7},  {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
             {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
             {3, 8, 9},   {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
  // Each level splits every triangle into four; midpoints are shared through an edge cache.
  for (int level = 0; level < subdivisions; ++level) {
    std::map<std::pair<int, int>, int> midpoint;
    auto mid = [&](int a, int b) {
      const auto key = std::minmax(a, b);
      auto [it, inserted] = midpoint.try_emplace(key, static_cast<int>(m.vertices.size()));
      if (inserted) m.vertices.push_back((m.vertices[a] + m.vertices[b]).normalized());
      return it->second;
    };
    std::vector<Eigen::Vector3i> faces;
    faces.reserve(m.faces.size() * 4);
    for (const auto& f : m.faces) {
      const int ab = mid(f[0], f[1]), bc = mid(f[1], f[2]), ca = mid(f[2], f[0]);
      faces.emplace_back(f[0], ab, ca);
      faces.emplace_back(f[1], bc, ab);
      faces.emplace_back(f[2], ca, bc);
      faces.emplace_back(ab, bc, ca);
    }
    m.faces = std::move(faces);
  }
  for (auto& v : m.vertices) v *= radius;
  return m;
}

TriangleMesh make_cylinder(double radius, double length, int segments) {
  segments = std::max(segments, 3);
  const double hz = 0.5 * length;
  TriangleMesh m;
  // Vertices 0..n-1: bottom ring, n..2n-1: top ring, 2n: bottom centre, 2n+1: top centre.
  for (int ring = 0; ring < 2; ++ring)
    for (int i = 0; i < segments; ++i) {
      const double a = 2 * std::numbers::pi * i / segments;
      m.vertices.emplace_back(radius * std::cos(a), radius * std::sin(a), ring ? hz : -hz);
    }
  const int bottom = 2 * segments, top = 2 * segments + 1;
  m.vertices.emplace_back(0, 0, -hz);
  m.vertices.emplace_back(0, 0, hz);
  for (int i = 0; i < segments; ++i) {
    const int j = (i + 1) % segments;
    m.faces.emplace_back(i, j, segments + j);  // side, counter-clockwise seen from outside
    m.faces.emplace_back(i, segments + j, segments + i);
    m.faces.emplace_back(bottom, j, i);  // bottom cap faces -z
    m.faces.emplace_back(top, segments + i, segments + j);
  }
  return m;
}

std::vector<TriangleMesh> connected_components(const TriangleMesh& mesh, std::vector<int>* face_component) {
  const int n = static_cast<int>(mesh.vertices.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (const auto& f : mesh.faces) {
    const int a = find(f[0]), b = find(f[1]), c = find(f[2]);
    parent[b] = a;
    parent[find(c)] = a;
  }
  std::map<int, int> comp_of_root;
  std::vector<TriangleMesh> out;
  std::vector<std::unordered_map<int, int>> vmap;
  if (face_component) face_component->assign(mesh.faces.size(), 0);
  for (size_t fi = 0; fi < mesh.faces.size(); ++fi) {
    const auto& f = mesh.faces[fi];
    const int root = find(f[0]);
    auto [it, inserted] = comp_of_root.emplace(root, static_cast<int>(out.size()));
    if (inserted) {
      out.emplace_back();
      vmap.emplace_back();
    }
    if (face_component) (*face_component)[fi] = it->second;
    TriangleMesh& m = out[it->second];
    auto& vm = vmap[it->second];
    Eigen::Vector3i g;
    for (int k = 0; k < 3; ++k) {
      auto [vit, vnew] = vm.emplace(f[k], static_cast<int>(m.vertices.size()));
      if (vnew) m.vertices.push_back(mesh.vertices[f[k]]);
      g[k] = vit->second;
    }
    m.faces.push_back(g);
  }
  return out;
}

int count_open_edges(const TriangleMesh& mesh) {
  std::vector<std::pair<int, int>> edges;
  edges.reserve(mesh.faces.size() * 3);
  for (const auto& t : mesh.faces)
    for (int k = 0; k < 3; ++k) edges.push_back(std::minmax(t[k], t[(k + 1) % 3]));
  std::sort(edges.begin(), edges.end());
  int open = 0;
  for (size_t i = 0; i < edges.size();) {
    size_t j = i;
    while (j < edges.size() && edges[j] == edges[i]) ++j;
    if (j - i == 1) ++open;
    i = j;
  }
  return open;
}

}  // namespace graspqp
