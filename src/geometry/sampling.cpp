// Area-uniform surface sampling, farthest-point sampling and convex hulls (Qhull).
#include <graspqp/error.hpp>
#include <graspqp/geometry/sampling.hpp>

extern "C" {
#include <libqhull_r/libqhull_r.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

namespace graspqp {

namespace {

// Uniform double in [0, 1) from the top 53 bits of the engine output. std::mt19937_64's sequence is
// fixed by the standard but std::uniform_real_distribution is not, so this keeps samples identical
// across standard libraries.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

std::vector<SurfaceSample> sample_surface(const TriangleMesh& mesh, int n, std::uint64_t seed) {
  if (n <= 0) return {};
  const int nf = static_cast<int>(mesh.faces.size());
  std::vector<double> cumulative_area(nf);
  double total = 0;
  for (int f = 0; f < nf; ++f) cumulative_area[f] = (total += mesh.face_area(f));
  if (!(total > 0) || !std::isfinite(total)) throw Error("sample_surface: mesh has no surface area");

  std::mt19937_64 rng(seed);
  std::vector<SurfaceSample> samples;
  samples.reserve(n);
  for (int i = 0; i < n; ++i) {
    // Face with probability proportional to its area (zero-area faces are never picked: upper_bound
    // skips entries equal to their predecessor).
    const double target = uniform01(rng) * total;
    const int f =
        std::min<int>(static_cast<int>(std::upper_bound(cumulative_area.begin(), cumulative_area.end(), target) -
                                       cumulative_area.begin()),
                      nf - 1);
    // Uniform point in the triangle (Osada et al.: the square root makes the density area-uniform).
    const double r1 = std::sqrt(uniform01(rng)), r2 = uniform01(rng);
    const auto& t = mesh.faces[f];
    const Vec3 p = (1 - r1) * mesh.vertices[t[0]] + r1 * (1 - r2) * mesh.vertices[t[1]] + r1 * r2 * mesh.vertices[t[2]];
    samples.push_back({p, mesh.face_normal(f), f});
  }
  return samples;
}

std::vector<int> farthest_point_sampling(const std::vector<Vec3>& points, int k, int start) {
  const int n = static_cast<int>(points.size());
  k = std::min(k, n);
  if (k <= 0) return {};
  if (start < 0 || start >= n)
    throw Error("farthest_point_sampling: start index " + std::to_string(start) + " out of range for " +
                std::to_string(n) + " points");
  std::vector<int> chosen;
  chosen.reserve(k);
  // Squared distance of every point to the chosen set, updated with each new point: O(n k).
  std::vector<double> dist_sq(n, std::numeric_limits<double>::infinity());
  int next = start;
  for (int i = 0; i < k; ++i) {
    chosen.push_back(next);
    const Vec3 c = points[next];
    int farthest = -1;
    double farthest_sq = -1;
    for (int j = 0; j < n; ++j) {
      dist_sq[j] = std::min(dist_sq[j], (points[j] - c).squaredNorm());
      if (dist_sq[j] > farthest_sq) {  // strict: ties go to the lowest index (deterministic)
        farthest_sq = dist_sq[j];
        farthest = j;
      }
    }
    next = farthest;
  }
  return chosen;
}

TriangleMesh convex_hull(const std::vector<Vec3>& points) {
  const int n = static_cast<int>(points.size());
  if (n < 4) throw Error("convex_hull: need at least 4 points, got " + std::to_string(n));
  std::vector<coordT> coordinates;
  coordinates.reserve(3 * static_cast<size_t>(n));
  for (const auto& p : points) {
    if (!p.allFinite()) throw Error("convex_hull: non-finite point");
    coordinates.insert(coordinates.end(), {p.x(), p.y(), p.z()});
  }

  // Qhull reports its errors to a stream; capture them so the exception can quote the reason.
  std::unique_ptr<FILE, int (*)(FILE*)> err(std::tmpfile(), &std::fclose);
  qhT qh_storage;
  qhT* qh = &qh_storage;
  QHULL_LIB_CHECK
  qh_zero(qh, err.get());
  // Qt: triangulated output (coplanar facets such as a cube side come out as two triangles).
  char options[] = "qhull Qt";
  const int exit_code = qh_new_qhull(qh, 3, n, coordinates.data(), False, options, nullptr, err.get());

  TriangleMesh hull;
  if (exit_code == 0) {
    std::vector<int> vertex_of_point(n, -1);  // input index -> hull vertex index
    auto hull_vertex = [&](vertexT* v) {
      const int id = qh_pointid(qh, v->point);
      if (vertex_of_point[id] < 0) {
        vertex_of_point[id] = static_cast<int>(hull.vertices.size());
        hull.vertices.push_back(points[id]);
      }
      return vertex_of_point[id];
    };
    facetT* facet;
    FORALLfacets {
      if (qh_setsize(qh, facet->vertices) != 3) continue;  // Qt gives simplices only
      Eigen::Vector3i t(hull_vertex(static_cast<vertexT*>(facet->vertices->e[0].p)),
                        hull_vertex(static_cast<vertexT*>(facet->vertices->e[1].p)),
                        hull_vertex(static_cast<vertexT*>(facet->vertices->e[2].p)));
      // Qhull's vertex order does not encode orientation; its facet normal points outward.
      const Vec3 outward(facet->normal[0], facet->normal[1], facet->normal[2]);
      const Vec3 cross = (hull.vertices[t[1]] - hull.vertices[t[0]]).cross(hull.vertices[t[2]] - hull.vertices[t[0]]);
      if (cross.dot(outward) < 0) std::swap(t[1], t[2]);
      hull.faces.push_back(t);
    }
  }
  qh_freeqhull(qh, !qh_ALL);
  int still_long = 0, still_total = 0;
  qh_memfreeshort(qh, &still_long, &still_total);

  if (exit_code != 0) {
    // First line of Qhull's report, e.g. "QH6154 qhull precision error: initial simplex is flat".
    std::string reason;
    if (err) {
      std::rewind(err.get());
      char line[512];
      while (reason.empty() && std::fgets(line, sizeof line, err.get())) {
        reason = line;
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r' || reason.back() == ' '))
          reason.pop_back();
      }
    }
    throw Error("convex_hull: degenerate input (points are flat or collinear)" +
                (reason.empty() ? std::string() : ": " + reason));
  }
  if (hull.faces.size() < 4) throw Error("convex_hull: degenerate input (points are flat or collinear)");
  return hull;
}

}  // namespace graspqp
