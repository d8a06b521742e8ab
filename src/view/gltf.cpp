#include <graspqp/error.hpp>
#include <graspqp/view/gltf.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace graspqp::view {

using nlohmann::json;

Mat3 z_up_to_y_up() {
  Mat3 C;
  C << 1, 0, 0,  //
      0, 0, 1,   //
      0, -1, 0;
  return C;
}

// ---- meshes ------------------------------------------------------------------------------------

RenderMesh make_render_mesh(const TriangleMesh& mesh, double crease_deg) {
  RenderMesh out;
  const int nv = static_cast<int>(mesh.vertices.size());
  const int nf = static_cast<int>(mesh.faces.size());
  std::vector<Vec3> fn(nf);
  std::vector<Vec3> angle(nf);  // interior angle at each corner
  std::vector<char> good(nf, 0);
  for (int f = 0; f < nf; ++f) {
    const auto& F = mesh.faces[f];
    if ((F.array() < 0).any() || (F.array() >= nv).any()) throw Error("mesh face refers to a missing vertex");
    const Vec3 &a = mesh.vertices[F[0]], &b = mesh.vertices[F[1]], &c = mesh.vertices[F[2]];
    const Vec3 cr = (b - a).cross(c - a);
    const double len = cr.norm();
    if (!(len > 1e-20) || !std::isfinite(len)) continue;
    good[f] = 1;
    fn[f] = cr / len;
    auto ang = [](const Vec3& u, const Vec3& v) {
      const double d = u.norm() * v.norm();
      return d > 0 ? std::acos(std::clamp(u.dot(v) / d, -1.0, 1.0)) : 0.0;
    };
    angle[f] = Vec3(ang(b - a, c - a), ang(c - b, a - b), ang(a - c, b - c));
  }
  // Faces around each vertex (CSR).
  std::vector<int> start(nv + 1, 0), around;
  for (int f = 0; f < nf; ++f)
    if (good[f])
      for (int k = 0; k < 3; ++k) ++start[mesh.faces[f][k] + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  around.resize(start[nv]);
  std::vector<int> fill(start.begin(), start.end() - 1);
  for (int f = 0; f < nf; ++f)
    if (good[f])
      for (int k = 0; k < 3; ++k) around[fill[mesh.faces[f][k]]++] = f;

  const double cos_crease = std::cos(crease_deg * M_PI / 180.0);
  // Output vertices per input vertex: (normal, output index).
  std::vector<std::vector<std::pair<Vec3, uint32_t>>> split(nv);
  out.indices.reserve(3 * nf);
  for (int f = 0; f < nf; ++f) {
    if (!good[f]) continue;
    for (int k = 0; k < 3; ++k) {
      const int v = mesh.faces[f][k];
      Vec3 n = Vec3::Zero();
      for (int i = start[v]; i < start[v + 1]; ++i) {
        const int g = around[i];
        if (fn[g].dot(fn[f]) < cos_crease) continue;
        const auto& G = mesh.faces[g];
        const int kk = G[0] == v ? 0 : (G[1] == v ? 1 : 2);
        n += angle[g][kk] * fn[g];
      }
      n = n.norm() > 1e-12 ? Vec3(n.normalized()) : fn[f];
      uint32_t idx = std::numeric_limits<uint32_t>::max();
      for (const auto& [m, j] : split[v])
        if (m.dot(n) > 0.9999) {
          idx = j;
          break;
        }
      if (idx == std::numeric_limits<uint32_t>::max()) {
        idx = static_cast<uint32_t>(out.positions.size() / 3);
        const Vec3& p = mesh.vertices[v];
        for (int c = 0; c < 3; ++c) {
          out.positions.push_back(static_cast<float>(p[c]));
          out.normals.push_back(static_cast<float>(n[c]));
        }
        split[v].emplace_back(n, idx);
      }
      out.indices.push_back(idx);
    }
  }
  return out;
}

TriangleMesh simplify_mesh(const TriangleMesh& mesh, int max_triangles) {
  if (max_triangles <= 0 || static_cast<int>(mesh.faces.size()) <= max_triangles || mesh.vertices.empty()) return mesh;
  const Eigen::AlignedBox3d box = mesh.bounding_box();
  const Vec3 size = box.sizes().cwiseMax(1e-9);
  // A closed surface clustered on a k^3 grid keeps about 4 k^2 triangles (two per occupied cell face).
  double k = std::max(2.0, std::sqrt(max_triangles / 4.0) * size.maxCoeff() / size.norm() * std::sqrt(3.0));
  for (int attempt = 0; attempt < 40; ++attempt, k *= 0.85) {
    const double cell = size.maxCoeff() / k;
    std::unordered_map<uint64_t, int> cluster_of_cell;
    std::vector<int> cluster(mesh.vertices.size());
    std::vector<Vec3> sum;
    std::vector<int> count;
    for (size_t i = 0; i < mesh.vertices.size(); ++i) {
      const Vec3 c = ((mesh.vertices[i] - box.min()) / cell).array().floor();
      const uint64_t key = (static_cast<uint64_t>(c[0]) & 0x1fffff) | ((static_cast<uint64_t>(c[1]) & 0x1fffff) << 21) |
                           ((static_cast<uint64_t>(c[2]) & 0x1fffff) << 42);
      auto [it, inserted] = cluster_of_cell.emplace(key, static_cast<int>(sum.size()));
      if (inserted) {
        sum.push_back(Vec3::Zero());
        count.push_back(0);
      }
      cluster[i] = it->second;
      sum[it->second] += mesh.vertices[i];
      ++count[it->second];
    }
    TriangleMesh out;
    out.vertices.resize(sum.size());
    for (size_t c = 0; c < sum.size(); ++c) out.vertices[c] = sum[c] / count[c];
    std::unordered_map<uint64_t, int> seen;
    for (const auto& F : mesh.faces) {
      const Eigen::Vector3i G(cluster[F[0]], cluster[F[1]], cluster[F[2]]);
      if (G[0] == G[1] || G[1] == G[2] || G[0] == G[2]) continue;
      std::array<int, 3> s{G[0], G[1], G[2]};
      std::sort(s.begin(), s.end());
      const uint64_t key = static_cast<uint64_t>(s[0]) * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(s[1]) << 21) ^
                           (static_cast<uint64_t>(s[2]) << 42) ^ static_cast<uint64_t>(s[2]);
      if (!seen.emplace(key, 1).second) continue;
      out.faces.push_back(G);
    }
    if (static_cast<int>(out.faces.size()) <= max_triangles) return out;
  }
  throw Error("cannot simplify a mesh of " + std::to_string(mesh.faces.size()) + " triangles to " +
              std::to_string(max_triangles));
}

// ---- builder -----------------------------------------------------------------------------------

namespace {
constexpr int kFloat = 5126, kUShort = 5123, kUInt = 5125;
constexpr int kArrayBuffer = 34962, kElementArrayBuffer = 34963;
}  // namespace

GltfBuilder::GltfBuilder() = default;

int GltfBuilder::add_view(const void* data, size_t bytes, int target) {
  while (bin_.size() % 4) bin_.push_back(0);
  const size_t offset = bin_.size();
  bin_.resize(offset + bytes);
  if (bytes) std::memcpy(bin_.data() + offset, data, bytes);
  json v = {{"buffer", 0}, {"byteOffset", offset}, {"byteLength", bytes}};
  if (target) v["target"] = target;
  buffer_views_.push_back(v);
  return static_cast<int>(buffer_views_.size()) - 1;
}

int GltfBuilder::add_accessor(int view, int component_type, size_t count, const std::string& type, const json& min,
                              const json& max) {
  json a = {
      {"bufferView", view}, {"byteOffset", 0}, {"componentType", component_type}, {"count", count}, {"type", type}};
  if (!min.is_null()) a["min"] = min;
  if (!max.is_null()) a["max"] = max;
  accessors_.push_back(a);
  return static_cast<int>(accessors_.size()) - 1;
}

int GltfBuilder::add_material(const Material& m) {
  json j = {{"name", m.name},
            {"pbrMetallicRoughness",
             {{"baseColorFactor", {m.color[0], m.color[1], m.color[2], m.color[3]}},
              {"metallicFactor", m.metallic},
              {"roughnessFactor", m.roughness}}},
            {"alphaMode", m.blend ? "BLEND" : "OPAQUE"},
            {"doubleSided", m.double_sided}};
  if (m.unlit) {
    j["extensions"] = {{"KHR_materials_unlit", json::object()}};
    uses_unlit_ = true;
  }
  materials_.push_back(j);
  return static_cast<int>(materials_.size()) - 1;
}

static std::pair<json, json> bounds3(const float* p, size_t n) {
  std::array<float, 3> lo{std::numeric_limits<float>::max(), std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::max()};
  std::array<float, 3> hi{-lo[0], -lo[1], -lo[2]};
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) {
      lo[c] = std::min(lo[c], p[3 * i + c]);
      hi[c] = std::max(hi[c], p[3 * i + c]);
    }
  return {json{lo[0], lo[1], lo[2]}, json{hi[0], hi[1], hi[2]}};
}

GltfBuilder::Geometry GltfBuilder::add_geometry(const RenderMesh& rm) {
  Geometry g;
  if (rm.indices.empty()) return g;
  const size_t nv = rm.vertex_count();
  if (rm.normals.size() != rm.positions.size()) throw Error("glTF geometry: normals/positions mismatch");
  for (uint32_t i : rm.indices)
    if (i >= nv) throw Error("glTF geometry: index out of range");
  auto [lo, hi] = bounds3(rm.positions.data(), nv);
  g.position =
      add_accessor(add_view(rm.positions.data(), rm.positions.size() * 4, kArrayBuffer), kFloat, nv, "VEC3", lo, hi);
  g.normal = add_accessor(add_view(rm.normals.data(), rm.normals.size() * 4, kArrayBuffer), kFloat, nv, "VEC3");
  if (nv <= 65535) {
    std::vector<uint16_t> small(rm.indices.begin(), rm.indices.end());
    g.indices =
        add_accessor(add_view(small.data(), small.size() * 2, kElementArrayBuffer), kUShort, small.size(), "SCALAR");
  } else {
    g.indices = add_accessor(add_view(rm.indices.data(), rm.indices.size() * 4, kElementArrayBuffer), kUInt,
                             rm.indices.size(), "SCALAR");
  }
  return g;
}

int GltfBuilder::add_mesh(const std::string& name, const std::vector<std::pair<Geometry, int>>& primitives) {
  json prims = json::array();
  for (const auto& [g, material] : primitives) {
    if (g.position < 0) continue;
    json p = {{"attributes", {{"POSITION", g.position}, {"NORMAL", g.normal}}}, {"indices", g.indices}, {"mode", 4}};
    if (material >= 0) p["material"] = material;
    prims.push_back(p);
  }
  if (prims.empty()) return -1;
  meshes_.push_back({{"name", name}, {"primitives", prims}});
  return static_cast<int>(meshes_.size()) - 1;
}

int GltfBuilder::add_lines(const std::string& name, const std::vector<Eigen::Vector3f>& points,
                           const std::vector<Eigen::Vector3f>& colors, int material) {
  if (points.empty()) return -1;
  if (points.size() % 2 || colors.size() != points.size())
    throw Error("glTF lines '" + name + "': need 2 points per segment and one colour per point");
  std::vector<float> p, c;
  for (size_t i = 0; i < points.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      p.push_back(points[i][k]);
      c.push_back(std::clamp(colors[i][k], 0.0f, 1.0f));
    }
  auto [lo, hi] = bounds3(p.data(), points.size());
  const int pos = add_accessor(add_view(p.data(), p.size() * 4, kArrayBuffer), kFloat, points.size(), "VEC3", lo, hi);
  const int col = add_accessor(add_view(c.data(), c.size() * 4, kArrayBuffer), kFloat, points.size(), "VEC3");
  json prim = {{"attributes", {{"POSITION", pos}, {"COLOR_0", col}}}, {"mode", 1}};
  if (material >= 0) prim["material"] = material;
  meshes_.push_back({{"name", name}, {"primitives", json::array({prim})}});
  return static_cast<int>(meshes_.size()) - 1;
}

int GltfBuilder::add_node(const Node& node) {
  json n = {{"name", node.name}};
  if (node.mesh >= 0) n["mesh"] = node.mesh;
  if (!node.translation.isZero(0))
    n["translation"] = {node.translation.x(), node.translation.y(), node.translation.z()};
  Eigen::Quaterniond q = node.rotation.normalized();
  if (q.w() < 0) q.coeffs() *= -1;
  if (!q.isApprox(Eigen::Quaterniond::Identity(), 1e-15)) n["rotation"] = {q.x(), q.y(), q.z(), q.w()};
  if (node.scale != 1.0) n["scale"] = {node.scale, node.scale, node.scale};
  if (!node.extras.is_null()) n["extras"] = node.extras;
  nodes_.push_back(n);
  return static_cast<int>(nodes_.size()) - 1;
}

json GltfBuilder::gltf_json() const {
  nlohmann::json j;
  j["asset"] = {{"version", "2.0"}, {"generator", "graspqp view"}};
  if (!asset_extras_.is_null()) j["asset"]["extras"] = asset_extras_;
  if (uses_unlit_) j["extensionsUsed"] = {"KHR_materials_unlit"};
  std::vector<int> roots(nodes_.size());
  std::iota(roots.begin(), roots.end(), 0);
  j["scene"] = 0;
  j["scenes"] = nlohmann::json::array({{{"name", scene_name_}, {"nodes", roots}}});
  j["nodes"] = nodes_;
  if (!meshes_.empty()) j["meshes"] = meshes_;
  if (!materials_.empty()) j["materials"] = materials_;
  if (!accessors_.empty()) j["accessors"] = accessors_;
  if (!buffer_views_.empty()) j["bufferViews"] = buffer_views_;
  if (!bin_.empty()) j["buffers"] = nlohmann::json::array({{{"byteLength", (bin_.size() + 3) / 4 * 4}}});
  return j;
}

static void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string GltfBuilder::to_glb() const {
  std::string js = gltf_json().dump();
  while (js.size() % 4) js.push_back(' ');
  std::string bin(bin_.begin(), bin_.end());
  while (bin.size() % 4) bin.push_back('\0');
  const uint64_t total = 12 + 8 + js.size() + (bin.empty() ? 0 : 8 + bin.size());
  if (total > 0xffffffffull) throw Error("glTF scene too large for a .glb file (over 4 GiB)");
  std::string out;
  out.reserve(total);
  put_u32(out, 0x46546C67);  // "glTF"
  put_u32(out, 2);
  put_u32(out, static_cast<uint32_t>(total));
  put_u32(out, static_cast<uint32_t>(js.size()));
  put_u32(out, 0x4E4F534A);  // "JSON"
  out += js;
  if (!bin.empty()) {
    put_u32(out, static_cast<uint32_t>(bin.size()));
    put_u32(out, 0x004E4942);  // "BIN\0"
    out += bin;
  }
  return out;
}

}  // namespace graspqp::view
