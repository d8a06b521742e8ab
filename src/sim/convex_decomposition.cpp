// Convex decomposition (HACD from libbullet-extras-dev), decimation, part caching.
#include <graspqp/error.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/geometry/signed_distance.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/sim/convex_decomposition.hpp>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-copy"
#include <HACD/hacdHACD.h>
#pragma GCC diagnostic pop

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

namespace graspqp {

namespace fs = std::filesystem;

namespace {

struct Key3 {
  std::int64_t x, y, z;
  bool operator==(const Key3&) const = default;
};
struct Key3Hash {
  size_t operator()(const Key3& k) const {
    std::uint64_t h = static_cast<std::uint64_t>(k.x) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<std::uint64_t>(k.y) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(k.z) + 0x94D049BB133111EBull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

TriangleMesh cluster_once(const TriangleMesh& mesh, double cell) {
  const Vec3 lo = mesh.bounding_box().min();
  std::unordered_map<Key3, int, Key3Hash> cell_index;
  std::vector<Vec3> sum;
  std::vector<int> count;
  std::vector<int> remap(mesh.vertices.size());
  for (size_t i = 0; i < mesh.vertices.size(); ++i) {
    const Vec3 r = (mesh.vertices[i] - lo) / cell;
    const Key3 k{static_cast<std::int64_t>(std::floor(r.x())), static_cast<std::int64_t>(std::floor(r.y())),
                 static_cast<std::int64_t>(std::floor(r.z()))};
    auto [it, inserted] = cell_index.emplace(k, static_cast<int>(sum.size()));
    if (inserted) {
      sum.push_back(Vec3::Zero());
      count.push_back(0);
    }
    remap[i] = it->second;
    sum[it->second] += mesh.vertices[i];
    count[it->second] += 1;
  }
  TriangleMesh out;
  out.vertices.resize(sum.size());
  for (size_t c = 0; c < sum.size(); ++c) out.vertices[c] = sum[c] / count[c];
  std::set<std::array<int, 3>> seen;
  for (const auto& f : mesh.faces) {
    const int a = remap[f[0]], b = remap[f[1]], c = remap[f[2]];
    if (a == b || b == c || a == c) continue;
    std::array<int, 3> key{a, b, c};
    std::sort(key.begin(), key.end());
    if (!seen.insert(key).second) continue;
    out.faces.emplace_back(a, b, c);
  }
  return out;
}

// PCA frame of a point set: columns = principal directions, sorted by decreasing extent.
Mat3 principal_axes(const std::vector<Vec3>& pts, Vec3& mean) {
  mean = Vec3::Zero();
  for (const auto& p : pts) mean += p;
  mean /= std::max<size_t>(1, pts.size());
  Mat3 C = Mat3::Zero();
  for (const auto& p : pts) C += (p - mean) * (p - mean).transpose();
  Eigen::SelfAdjointEigenSolver<Mat3> es(C);
  Mat3 axes;
  for (int i = 0; i < 3; ++i) axes.col(i) = es.eigenvectors().col(2 - i);
  return axes;
}

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

TriangleMesh decimate_vertex_clustering(const TriangleMesh& mesh, int target_faces) {
  if (target_faces <= 0 || static_cast<int>(mesh.faces.size()) <= target_faces) return mesh;
  const double area = mesh.surface_area();
  // A closed surface has about twice as many faces as vertices; each occupied cell becomes one vertex.
  double cell = std::sqrt(area / std::max(1.0, 0.5 * target_faces));
  TriangleMesh best = mesh;
  for (int attempt = 0; attempt < 8; ++attempt) {
    TriangleMesh out = cluster_once(mesh, cell);
    if (out.faces.size() >= 16) best = std::move(out);
    const double ratio = static_cast<double>(best.faces.size()) / target_faces;
    if (ratio <= 1.0 && ratio > 0.5) break;
    cell *= ratio > 1.0 ? std::sqrt(ratio) * 1.05 : 0.8;
    if (ratio > 1.0) continue;
    if (attempt >= 3) break;
  }
  return best;
}

TriangleMesh solid_convex_hull(std::vector<Vec3> points, double min_thickness) {
  // Deduplicate (exact).
  std::sort(points.begin(), points.end(), [](const Vec3& a, const Vec3& b) {
    return std::lexicographical_compare(a.data(), a.data() + 3, b.data(), b.data() + 3);
  });
  points.erase(std::unique(points.begin(), points.end()), points.end());
  if (points.empty()) return {};
  Vec3 mean;
  const Mat3 axes = principal_axes(points, mean);
  Vec3 lo = Vec3::Constant(1e300), hi = Vec3::Constant(-1e300);
  for (const auto& p : points) {
    const Vec3 r = axes.transpose() * (p - mean);
    lo = lo.cwiseMin(r);
    hi = hi.cwiseMax(r);
  }
  const Vec3 extent = hi - lo;
  std::vector<Vec3> pts = points;
  // Thicken every principal direction thinner than min_thickness (flat sheets, sticks, single points).
  for (int axis = 0; axis < 3; ++axis) {
    if (extent[axis] >= min_thickness) continue;
    const Vec3 offset = axes.col(axis) * (0.5 * (min_thickness - extent[axis]) + 1e-9);
    std::vector<Vec3> grown;
    grown.reserve(pts.size() * 2);
    for (const auto& p : pts) {
      grown.push_back(p + offset);
      grown.push_back(p - offset);
    }
    pts.swap(grown);
  }
  try {
    return convex_hull(pts);
  } catch (const Error&) {
    // Degenerate even after thickening (numerically): use the oriented bounding box.
    const Vec3 half = 0.5 * extent.cwiseMax(Vec3::Constant(min_thickness));
    const Vec3 centre = mean + axes * (0.5 * (lo + hi));
    std::vector<Vec3> box;
    for (int i = 0; i < 8; ++i)
      box.push_back(centre +
                    axes * Vec3((i & 1 ? 1 : -1) * half.x(), (i & 2 ? 1 : -1) * half.y(), (i & 4 ? 1 : -1) * half.z()));
    return convex_hull(box);
  }
}

double hull_concavity(const TriangleMesh& mesh, int samples) {
  if (mesh.faces.empty()) return 0;
  const TriangleMesh hull = solid_convex_hull(mesh.vertices);
  if (hull.faces.empty()) return 0;
  const SignedDistanceField sdf(mesh);
  double worst = 0;
  for (const auto& s : sample_surface(hull, samples, 7))
    worst = std::max(worst, std::abs(sdf.query(s.position).distance));
  return worst;
}

std::vector<TriangleMesh> hacd_decompose(const TriangleMesh& input, const HacdOptions& options, double min_thickness) {
  TriangleMesh mesh = input;
  weld_vertices(mesh, 1e-7 * std::max(1.0, mesh.bounding_box().diagonal().norm()));
  mesh = decimate_vertex_clustering(mesh, options.target_faces);
  if (mesh.faces.size() < 4) {
    TriangleMesh h = solid_convex_hull(mesh.vertices, min_thickness);
    return h.faces.empty() ? std::vector<TriangleMesh>{} : std::vector<TriangleMesh>{h};
  }
  std::vector<HACD::Vec3<HACD::Real>> points;
  std::vector<HACD::Vec3<long>> triangles;
  points.reserve(mesh.vertices.size());
  for (const auto& v : mesh.vertices) points.emplace_back(v.x(), v.y(), v.z());
  for (const auto& f : mesh.faces) triangles.emplace_back(f[0], f[1], f[2]);

  HACD::HACD hacd;
  hacd.SetPoints(points.data());
  hacd.SetNPoints(points.size());
  hacd.SetTriangles(triangles.data());
  hacd.SetNTriangles(triangles.size());
  hacd.SetCompacityWeight(options.compacity_weight);
  hacd.SetVolumeWeight(options.volume_weight);
  hacd.SetNClusters(static_cast<size_t>(std::max(1, options.min_clusters)));
  hacd.SetNVerticesPerCH(static_cast<size_t>(std::max(4, options.max_vertices_per_hull)));
  hacd.SetConcavity(options.concavity);
  hacd.SetConnectDist(options.connect_distance);
  hacd.SetAddExtraDistPoints(options.add_extra_dist_points);
  hacd.SetAddNeighboursDistPoints(false);
  hacd.SetAddFacesPoints(options.add_faces_points);
  if (!hacd.Compute()) throw Error("HACD convex decomposition failed");

  std::vector<TriangleMesh> parts;
  for (size_t c = 0; c < hacd.GetNClusters(); ++c) {
    const size_t np = hacd.GetNPointsCH(c), nt = hacd.GetNTrianglesCH(c);
    if (np == 0) continue;
    std::vector<HACD::Vec3<HACD::Real>> cp(np);
    std::vector<HACD::Vec3<long>> ct(std::max<size_t>(nt, 1));
    hacd.GetCH(c, cp.data(), ct.data());
    std::vector<Vec3> pts;
    pts.reserve(np);
    for (const auto& p : cp) pts.emplace_back(p.X(), p.Y(), p.Z());
    TriangleMesh h = solid_convex_hull(pts, min_thickness);
    if (!h.faces.empty()) parts.push_back(std::move(h));
  }
  if (parts.empty()) {
    TriangleMesh h = solid_convex_hull(mesh.vertices, min_thickness);
    if (!h.faces.empty()) parts.push_back(std::move(h));
  }
  // Deterministic order: by centroid (HACD's cluster order is already deterministic; this makes the
  // cache independent of it).
  // Canonical vertex order (first use by a face, unused ones dropped), the order read_parts_obj gives: a part
  // read from the cache is then the very part computed here, and so is the scene built from it.
  for (TriangleMesh& part : parts) {
    std::vector<int> index(part.vertices.size(), -1);
    std::vector<Vec3> vertices;
    for (auto& f : part.faces)
      for (int k = 0; k < 3; ++k) {
        int& i = index[f[k]];
        if (i < 0) i = static_cast<int>(vertices.size()), vertices.push_back(part.vertices[f[k]]);
        f[k] = i;
      }
    part.vertices = std::move(vertices);
  }
  std::vector<std::pair<std::array<double, 3>, int>> order;
  for (size_t i = 0; i < parts.size(); ++i) {
    Vec3 c = Vec3::Zero();
    for (const auto& v : parts[i].vertices) c += v;
    c /= parts[i].vertices.size();
    order.push_back({{c.x(), c.y(), c.z()}, static_cast<int>(i)});
  }
  std::sort(order.begin(), order.end());
  std::vector<TriangleMesh> sorted;
  for (const auto& [c, i] : order) sorted.push_back(std::move(parts[i]));
  return sorted;
}

void write_parts_obj(const fs::path& path, const std::vector<TriangleMesh>& parts, const std::string& header_comment) {
  std::ostringstream s;
  s << "# graspqp convex parts (" << parts.size() << ")\n";
  if (!header_comment.empty()) s << "# " << header_comment << "\n";
  char buf[128];
  int base = 1;
  for (size_t i = 0; i < parts.size(); ++i) {
    s << "o part_" << i << "\n";
    for (const auto& v : parts[i].vertices) {
      std::snprintf(buf, sizeof buf, "v %.17g %.17g %.17g\n", v.x(), v.y(), v.z());
      s << buf;
    }
    for (const auto& f : parts[i].faces) s << "f " << f[0] + base << " " << f[1] + base << " " << f[2] + base << "\n";
    base += static_cast<int>(parts[i].vertices.size());
  }
  write_text_atomically(path, s.str());
}

std::vector<TriangleMesh> read_parts_obj(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open parts file");
  std::vector<Vec3> all;  // OBJ indices are global
  std::vector<TriangleMesh> parts;
  std::vector<std::unordered_map<int, int>> maps;
  std::string line;
  auto current = [&]() -> int {
    if (parts.empty()) {
      parts.emplace_back();
      maps.emplace_back();
    }
    return static_cast<int>(parts.size()) - 1;
  };
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.size() < 2) continue;
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "o" || tag == "g") {
      if (parts.empty() || !parts.back().faces.empty()) {
        parts.emplace_back();
        maps.emplace_back();
      }
    } else if (tag == "v") {
      Vec3 v;
      if (!(ls >> v.x() >> v.y() >> v.z())) throw Error(path.string() + ":" + std::to_string(lineno) + ": bad vertex");
      all.push_back(v);
    } else if (tag == "f") {
      std::vector<int> idx;
      std::string tok;
      while (ls >> tok) {
        const int i = std::stoi(tok.substr(0, tok.find('/')));
        const int g = i > 0 ? i - 1 : static_cast<int>(all.size()) + i;
        if (g < 0 || g >= static_cast<int>(all.size()))
          throw Error(path.string() + ":" + std::to_string(lineno) + ": face index out of range");
        idx.push_back(g);
      }
      const int p = current();
      std::vector<int> local;
      for (int g : idx) {
        auto [it, inserted] = maps[p].emplace(g, static_cast<int>(parts[p].vertices.size()));
        if (inserted) parts[p].vertices.push_back(all[g]);
        local.push_back(it->second);
      }
      for (size_t k = 1; k + 1 < local.size(); ++k) parts[p].faces.emplace_back(local[0], local[k], local[k + 1]);
    }
  }
  std::erase_if(parts, [](const TriangleMesh& m) { return m.faces.empty(); });
  if (parts.empty()) throw Error(path.string() + ": no parts (faces) in the file");
  return parts;
}

std::string hacd_cache_key(const std::string& mesh_sha256, double scale, const HacdOptions& o) {
  std::ostringstream s;
  s << "hacd-v3|" << mesh_sha256 << "|" << format_double(scale) << "|" << format_double(o.concavity) << "|"
    << o.min_clusters << "|" << o.max_vertices_per_hull << "|" << format_double(o.compacity_weight) << "|"
    << format_double(o.volume_weight) << "|" << format_double(o.connect_distance) << "|" << o.add_extra_dist_points
    << o.add_faces_points << "|" << o.target_faces;
  return sha256_string(s.str());
}

ObjectPartsResult object_convex_parts(const fs::path& mesh_file, double scale, const HacdOptions& options,
                                      const fs::path& cache_dir, const fs::path& user_parts) {
  ObjectPartsResult result;
  auto to_solid = [&](std::vector<TriangleMesh> raw) {
    std::vector<TriangleMesh> parts;
    for (auto& m : raw) {
      TriangleMesh h = solid_convex_hull(m.vertices);
      if (!h.faces.empty()) parts.push_back(std::move(h));
    }
    return parts;
  };
  if (!user_parts.empty()) {
    std::vector<TriangleMesh> raw;
    if (fs::is_directory(user_parts)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(user_parts)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (e.is_regular_file() && (ext == ".obj" || ext == ".stl" || ext == ".ply")) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw Error(user_parts.string() + ": no part meshes (.obj, .stl, .ply) in the folder");
      for (const auto& f : files) raw.push_back(load_mesh(f, Vec3::Constant(scale)));
    } else if (fs::is_regular_file(user_parts)) {
      raw = read_parts_obj(user_parts);
      for (auto& m : raw)
        for (auto& v : m.vertices) v *= scale;
    } else {
      throw Error(user_parts.string() + ": object parts not found");
    }
    result.parts = to_solid(std::move(raw));
    result.source = "user:" + user_parts.string();
    return result;
  }
  const std::string key = hacd_cache_key(sha256_file(mesh_file), scale, options);
  const fs::path cache_file = cache_dir.empty() ? fs::path() : cache_dir / (key + "-hacd.obj");
  if (!cache_file.empty() && fs::exists(cache_file)) {
    try {
      result.parts = read_parts_obj(cache_file);
      result.source = "cache:" + cache_file.string();
      return result;
    } catch (const Error&) {
      // A damaged cache entry is recomputed and replaced.
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const TriangleMesh mesh = load_mesh(mesh_file, Vec3::Constant(scale));
  result.parts = hacd_decompose(mesh, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.source = "hacd";
  if (!cache_file.empty()) {
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (!ec) {
      try {
        write_parts_obj(cache_file, result.parts,
                        "HACD parts of " + mesh_file.filename().string() + " scale " + format_double(scale));
      } catch (const Error&) {
        // The cache is an optimisation: an unwritable cache folder is not an error.
      }
    }
  }
  return result;
}

}  // namespace graspqp
