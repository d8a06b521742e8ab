// Signed distance through an Embree BVH (rtcPointQuery) with exact double-precision closest points
// and the sign from angle-weighted pseudonormals (Baerentzen & Aanaes 2005).
#include <graspqp/check.hpp>
#include <graspqp/error.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include "geometry/closest_point.hpp"

#include <embree3/rtcore.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

namespace graspqp {

using closest_point::closest_on_triangle;
using closest_point::Region;

constexpr double kTinyDistance = 1e-12;

namespace {

// One Embree device for the whole process (function-local static, created on first use): a device
// owns a thread pool and costs milliseconds to create, while a hand builds ~20 fields. Embree's API is
// thread-safe across scenes, and every scene keeps its own reference to the device.
RTCDevice shared_device() {
  struct Holder {
    RTCDevice device = rtcNewDevice(nullptr);
    ~Holder() {
      if (device) rtcReleaseDevice(device);
    }
  };
  static Holder holder;
  if (!holder.device) throw Error("SignedDistanceField: cannot create an Embree device");
  return holder.device;
}

}  // namespace

// What the end of a query needs about the winning primitive, on one or two cache lines that the
// query callback prefetches as soon as the primitive becomes the closest so far.
struct alignas(64) PrimitiveInfo {
  // Indexed by Region: face normal, then the pseudonormals of edges 0..2 and vertices 0..2.
  std::array<Vec3, 7> pseudonormal;
  int face;  // mesh face index
  // Bit (1 << region - 1): that edge or vertex lies on a hole of an open mesh, where no pseudonormal
  // tells inside from outside; the sign then comes from the winding number.
  std::uint8_t boundary = 0;
};

struct SignedDistanceField::Impl {
  TriangleMesh mesh;
  // Primitives (the BVH's ids) are the faces in Morton order of their centroids, and their corners
  // are renumbered by first use: a query touches neighbouring memory for neighbouring triangles.
  // The query is bound by cache misses, not by arithmetic.
  std::vector<Eigen::Vector3i> primitive_corners;  // indices into `corners`
  std::vector<Vec3> corners;                       // mesh vertices, reordered
  std::vector<PrimitiveInfo> info;
  std::vector<int> primitive_of_face;  // inverse of PrimitiveInfo::face
  double max_abs_coordinate = 0;       // scale for the float-rounding slack
  Eigen::AlignedBox3d bounds;          // of the mesh: query_within's broad phase

  // Coarse grid holding, per cell, a mesh vertex near it. The distance from p to its cell's vertex
  // bounds the distance to the surface from above, whatever p: it is the starting radius of the
  // Embree query. Embree 3 culls BVH nodes with the starting radius only (the shrinking radius only
  // skips nodes popped from its stack), so a tight start saves traversal.
  Vec3 grid_origin = Vec3::Zero();
  double grid_cell = 1;
  Eigen::Vector3i grid_dims = Eigen::Vector3i::Ones();
  std::vector<Eigen::Vector3f> grid_vertex;  // float: 12 bytes a cell, rounding far below the query margin

  RTCDevice device = nullptr;
  RTCScene scene = nullptr;

  ~Impl() {
    if (scene) rtcReleaseScene(scene);
    if (device) rtcReleaseDevice(device);
  }

  void build_primitives();
  void build_pseudonormals(const std::vector<int>& corner_vertex);
  void build_distance_grid();
  void build_scene();
  double radius_hint(const Vec3& p) const;
  // near_primitive >= 0: its distance from p bounds the search too (any primitive gives the same result).
  bool closest(const Vec3& p, double max_distance, SdfResult& out, int near_primitive = -1) const;
  double winding_number(const Vec3& p) const;

  // Open edges (holes) of the mesh, and how close to them a query must be for the pseudonormal sign
  // to be distrusted: within max(4 |d|, 2 x their mean length).
  std::vector<std::pair<Vec3, Vec3>> open_edges;
  double open_edge_margin = 0;
  // SdfOptions::union_of_parts with several connected components: one field per component; a point
  // is inside when it is inside any of them (each part's own pseudonormal sign is exact).
  std::vector<std::unique_ptr<SignedDistanceField>> parts;
  std::vector<Eigen::AlignedBox3d> part_bounds;
  bool inside_any_part(const Vec3& p) const {
    for (size_t k = 0; k < parts.size(); ++k)
      if (part_bounds[k].contains(p) && parts[k]->query(p).distance < 0) return true;
    return false;
  }
  bool near_hole(const Vec3& p, double unsigned_distance) const;
};

bool SignedDistanceField::Impl::near_hole(const Vec3& p, double unsigned_distance) const {
  const double reach = std::max(4.0 * unsigned_distance, open_edge_margin);
  for (const auto& [a, b] : open_edges) {
    const Vec3 ab = b - a;
    const double t = std::clamp((p - a).dot(ab) / std::max(ab.squaredNorm(), 1e-300), 0.0, 1.0);
    if ((a + t * ab - p).squaredNorm() <= reach * reach) return true;
  }
  return false;
}

// Generalized winding number (sum of signed solid angles / 4 pi, van Oosterom & Strackee): about 1
// inside and 0 outside, robust to small holes. O(faces), used only next to holes.
double SignedDistanceField::Impl::winding_number(const Vec3& p) const {
  double total = 0;
  for (const auto& f : mesh.faces) {
    const Vec3 a = mesh.vertices[f[0]] - p, b = mesh.vertices[f[1]] - p, c = mesh.vertices[f[2]] - p;
    const double la = a.norm(), lb = b.norm(), lc = c.norm();
    total += 2.0 * std::atan2(a.dot(b.cross(c)), la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb);
  }
  return total / (4.0 * M_PI);
}

namespace {

// Interleaves the low 21 bits of x with two zero bits between each (for 63-bit Morton codes).
std::uint64_t spread_bits(std::uint64_t x) {
  x &= 0x1fffff;
  x = (x | x << 32) & 0x1f00000000ffffull;
  x = (x | x << 16) & 0x1f0000ff0000ffull;
  x = (x | x << 8) & 0x100f00f00f00f00full;
  x = (x | x << 4) & 0x10c30c30c30c30c3ull;
  x = (x | x << 2) & 0x1249249249249249ull;
  return x;
}

float round_up(double x) { return std::nextafter(static_cast<float>(x), std::numeric_limits<float>::infinity()); }
float round_down(double x) { return std::nextafter(static_cast<float>(x), -std::numeric_limits<float>::infinity()); }

}  // namespace

void SignedDistanceField::Impl::build_primitives() {
  const int nf = static_cast<int>(mesh.faces.size());
  const Eigen::AlignedBox3d box = mesh.bounding_box();
  const Vec3 extent = box.sizes().cwiseMax(1e-300);
  std::vector<std::pair<std::uint64_t, int>> keyed(nf);
  for (int f = 0; f < nf; ++f) {
    const auto& t = mesh.faces[f];
    const Vec3 centroid = (mesh.vertices[t[0]] + mesh.vertices[t[1]] + mesh.vertices[t[2]]) / 3;
    const Eigen::Array3d cell = ((centroid - box.min()).array() / extent.array() * 2097151.0).min(2097151.0).max(0.0);
    keyed[f] = {spread_bits(static_cast<std::uint64_t>(cell.x())) |
                    spread_bits(static_cast<std::uint64_t>(cell.y())) << 1 |
                    spread_bits(static_cast<std::uint64_t>(cell.z())) << 2,
                f};
  }
  std::sort(keyed.begin(), keyed.end());  // ties by face index: deterministic

  std::vector<int> corner_of_vertex(mesh.vertices.size(), -1);
  std::vector<int> corner_vertex;  // corner -> mesh vertex
  primitive_corners.resize(nf);
  info.resize(nf);
  primitive_of_face.assign(nf, -1);
  for (int i = 0; i < nf; ++i) {
    const int f = keyed[i].second;
    info[i].face = f;
    primitive_of_face[f] = i;
    for (int k = 0; k < 3; ++k) {
      const int v = mesh.faces[f][k];
      if (corner_of_vertex[v] < 0) {
        corner_of_vertex[v] = static_cast<int>(corners.size());
        corners.push_back(mesh.vertices[v]);
        corner_vertex.push_back(v);
      }
      primitive_corners[i][k] = corner_of_vertex[v];
    }
  }
  build_pseudonormals(corner_vertex);
}

void SignedDistanceField::Impl::build_pseudonormals(const std::vector<int>& corner_vertex) {
  const size_t n = info.size();
  std::vector<Vec3> face_normal(n);
  std::vector<Vec3> vertex_sum(corners.size(), Vec3::Zero());  // angle-weighted
  for (size_t i = 0; i < n; ++i) {
    face_normal[i] = mesh.face_normal(info[i].face);  // from the mesh, so identical to what callers see
    for (int k = 0; k < 3; ++k) {
      const Vec3 e1 = corners[primitive_corners[i][(k + 1) % 3]] - corners[primitive_corners[i][k]];
      const Vec3 e2 = corners[primitive_corners[i][(k + 2) % 3]] - corners[primitive_corners[i][k]];
      const double angle = std::atan2(e1.cross(e2).norm(), e1.dot(e2));
      vertex_sum[primitive_corners[i][k]] += angle * face_normal[i];
    }
  }
  // Edges: sort the 3n (lo, hi, slot) entries by vertex pair so the faces sharing an edge are adjacent.
  // Pairs use mesh vertex ids, so an edge is shared exactly when the mesh shares it.
  struct HalfEdge {
    int lo, hi;
    size_t slot;  // 3 * primitive + k
  };
  std::vector<HalfEdge> half_edges;
  half_edges.reserve(3 * n);
  std::vector<size_t> boundary_edges;
  std::vector<char> boundary_vertex(mesh.vertices.size() + corners.size(), 0);
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) {
      const auto [lo, hi] =
          std::minmax(corner_vertex[primitive_corners[i][k]], corner_vertex[primitive_corners[i][(k + 1) % 3]]);
      half_edges.push_back({lo, hi, 3 * i + k});
    }
  std::sort(half_edges.begin(), half_edges.end(), [](const HalfEdge& x, const HalfEdge& y) {
    return std::tie(x.lo, x.hi, x.slot) < std::tie(y.lo, y.hi, y.slot);
  });
  for (size_t i = 0; i < half_edges.size();) {
    size_t j = i;
    Vec3 sum = Vec3::Zero();  // a boundary edge has one face: its pseudonormal is that face's normal
    for (; j < half_edges.size() && half_edges[j].lo == half_edges[i].lo && half_edges[j].hi == half_edges[i].hi; ++j)
      sum += face_normal[half_edges[j].slot / 3];
    for (size_t e = i; e < j; ++e) info[half_edges[e].slot / 3].pseudonormal[1 + half_edges[e].slot % 3] = sum;
    if (j - i == 1) {  // open edge: mark it and its two end vertices
      boundary_edges.push_back(half_edges[i].slot);
      boundary_vertex[half_edges[i].lo] = 1;
      boundary_vertex[half_edges[i].hi] = 1;
    }
    i = j;
  }
  for (size_t slot : boundary_edges) info[slot / 3].boundary |= static_cast<std::uint8_t>(1u << (slot % 3));
  double length_sum = 0;
  for (size_t slot : boundary_edges) {
    const Eigen::Vector3i& t = primitive_corners[slot / 3];
    const int k = static_cast<int>(slot % 3);
    open_edges.emplace_back(corners[t[k]], corners[t[(k + 1) % 3]]);
    length_sum += (open_edges.back().second - open_edges.back().first).norm();
  }
  open_edge_margin = open_edges.empty() ? 0.0 : 2.0 * length_sum / open_edges.size();
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k)
      if (boundary_vertex[corner_vertex[primitive_corners[i][k]]])
        info[i].boundary |= static_cast<std::uint8_t>(1u << (3 + k));
  for (size_t i = 0; i < n; ++i) {
    info[i].pseudonormal[0] = face_normal[i];
    for (int k = 0; k < 3; ++k) info[i].pseudonormal[4 + k] = vertex_sum[primitive_corners[i][k]];
  }
}

void SignedDistanceField::Impl::build_distance_grid() {
  // The longest axis gets 1.5 cbrt(faces) cells, at most 40 (the mug: 39 x 31 x 27 cells, 390 KiB).
  const Eigen::AlignedBox3d box = mesh.bounding_box();
  const double longest = box.sizes().maxCoeff();
  const int resolution = std::clamp(static_cast<int>(1.5 * std::cbrt(static_cast<double>(info.size()))) + 1, 2, 40);
  grid_origin = box.min();
  grid_cell = longest > 0 ? longest / resolution : 1.0;
  for (int k = 0; k < 3; ++k)
    grid_dims[k] = std::clamp(static_cast<int>(std::ceil(box.sizes()[k] / grid_cell)), 1, resolution);
  const int nx = grid_dims.x(), ny = grid_dims.y(), nz = grid_dims.z();
  auto index = [&](int x, int y, int z) { return (static_cast<size_t>(z) * ny + y) * nx + x; };
  auto centre = [&](int x, int y, int z) { return Vec3(grid_origin + grid_cell * Vec3(x + 0.5, y + 0.5, z + 0.5)); };

  // Nearest-vertex transform: seed cells with the vertices inside them, then two raster sweeps
  // (forward, backward) offer each cell its neighbours' vertices. Approximate, but every cell ends
  // up with a real vertex, which is all a valid bound needs.
  std::vector<int> nearest(static_cast<size_t>(nx) * ny * nz, -1);
  std::vector<double> nearest_sq(nearest.size(), std::numeric_limits<double>::infinity());
  for (int c = 0; c < static_cast<int>(corners.size()); ++c) {
    Eigen::Vector3i cell;
    for (int k = 0; k < 3; ++k)
      cell[k] = std::clamp(static_cast<int>((corners[c][k] - grid_origin[k]) / grid_cell), 0, grid_dims[k] - 1);
    const size_t i = index(cell.x(), cell.y(), cell.z());
    const double d_sq = (corners[c] - centre(cell.x(), cell.y(), cell.z())).squaredNorm();
    if (d_sq < nearest_sq[i]) {
      nearest_sq[i] = d_sq;
      nearest[i] = c;
    }
  }
  for (int sweep = 0; sweep < 2; ++sweep) {
    const int step = sweep == 0 ? 1 : -1;
    for (int z = sweep == 0 ? 0 : nz - 1; z >= 0 && z < nz; z += step)
      for (int y = sweep == 0 ? 0 : ny - 1; y >= 0 && y < ny; y += step)
        for (int x = sweep == 0 ? 0 : nx - 1; x >= 0 && x < nx; x += step) {
          const size_t i = index(x, y, z);
          const Vec3 c = centre(x, y, z);
          for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
              for (int dx = -1; dx <= 1; ++dx) {
                const int X = x + dx, Y = y + dy, Z = z + dz;
                if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue;
                const int candidate = nearest[index(X, Y, Z)];
                if (candidate < 0) continue;
                const double d_sq = (corners[candidate] - c).squaredNorm();
                if (d_sq < nearest_sq[i]) {
                  nearest_sq[i] = d_sq;
                  nearest[i] = candidate;
                }
              }
        }
  }
  grid_vertex.resize(nearest.size());
  for (size_t i = 0; i < nearest.size(); ++i) grid_vertex[i] = corners[std::max(nearest[i], 0)].cast<float>();
}

double SignedDistanceField::Impl::radius_hint(const Vec3& p) const {
  Eigen::Vector3i cell;
  for (int k = 0; k < 3; ++k) {
    // Clamp in double before converting: p may be far outside the grid.
    const double x = std::clamp((p[k] - grid_origin[k]) / grid_cell, 0.0, static_cast<double>(grid_dims[k] - 1));
    cell[k] = static_cast<int>(x);
  }
  const Eigen::Vector3f& v =
      grid_vertex[(static_cast<size_t>(cell.z()) * grid_dims.y() + cell.y()) * grid_dims.x() + cell.x()];
  return (p - v.cast<double>()).norm();
}

namespace {

// What the bounds callback reads (only during the build in rtcCommitScene).
struct TriangleSource {
  const Eigen::Vector3i* primitive_corners;
  const Vec3* corners;
};

// Embree user-geometry bounds: the exact triangle's box, rounded outward to float.
void triangle_bounds(const RTCBoundsFunctionArguments* args) {
  const auto& source = *static_cast<const TriangleSource*>(args->geometryUserPtr);
  const Eigen::Vector3i& t = source.primitive_corners[args->primID];
  const Vec3& a = source.corners[t[0]];
  const Vec3& b = source.corners[t[1]];
  const Vec3& c = source.corners[t[2]];
  const Vec3 lo = a.cwiseMin(b).cwiseMin(c), hi = a.cwiseMax(b).cwiseMax(c);
  RTCBounds& out = *args->bounds_o;
  out.lower_x = round_down(lo.x());
  out.lower_y = round_down(lo.y());
  out.lower_z = round_down(lo.z());
  out.upper_x = round_up(hi.x());
  out.upper_y = round_up(hi.y());
  out.upper_z = round_up(hi.z());
}

}  // namespace

void SignedDistanceField::Impl::build_scene() {
  // A user geometry with one triangle per BVH leaf: Embree then culls every triangle by its own box
  // (less than half the callbacks of its 4-triangle leaves), and the boxes come from the exact corners.
  device = shared_device();
  rtcRetainDevice(device);
  scene = rtcNewScene(device);
  rtcSetSceneBuildQuality(scene, RTC_BUILD_QUALITY_HIGH);
  RTCGeometry geometry = rtcNewGeometry(device, RTC_GEOMETRY_TYPE_USER);
  rtcSetGeometryUserPrimitiveCount(geometry, static_cast<unsigned>(info.size()));
  TriangleSource source{primitive_corners.data(), corners.data()};  // outlives the build below
  rtcSetGeometryUserData(geometry, &source);
  rtcSetGeometryBoundsFunction(geometry, triangle_bounds, nullptr);
  rtcCommitGeometry(geometry);
  rtcAttachGeometry(scene, geometry);
  rtcReleaseGeometry(geometry);  // the scene holds it now
  rtcCommitScene(scene);
  if (rtcGetDeviceError(device) != RTC_ERROR_NONE) throw Error("SignedDistanceField: Embree failed to build the BVH");
}

namespace {

// Per-query state, on the caller's stack and passed to Embree as the user pointer (no shared mutable state).
struct QueryState {
  const Eigen::Vector3i* primitive_corners;
  const Vec3* corners;
  const PrimitiveInfo* info;
  Vec3 p;
  // Absolute slack for float rounding of p and of the BVH boxes in Embree's culling: far above
  // those errors, far below any useful distance.
  double margin;
  double best_sq = std::numeric_limits<double>::infinity();
  int primitive = -1;
  Region region = Region::kFace;
  Vec3 closest = Vec3::Zero();
};

// Embree calls this for every triangle whose box overlaps the current query sphere.
bool point_query_callback(RTCPointQueryFunctionArguments* args) {
  auto& s = *static_cast<QueryState*>(args->userPtr);
  const int i = static_cast<int>(args->primID);
  const Eigen::Vector3i& t = s.primitive_corners[i];
  Vec3 c;
  const Region region = closest_on_triangle(s.p, s.corners[t[0]], s.corners[t[1]], s.corners[t[2]], c);
  const double d_sq = (s.p - c).squaredNorm();
  // Ties (same distance from different faces) go to the lowest primitive id: independent of the
  // traversal order.
  if (d_sq > s.best_sq || (d_sq == s.best_sq && i > s.primitive)) return false;
  s.best_sq = d_sq;
  s.primitive = i;
  s.region = region;
  s.closest = c;
  // Fetch what the end of the query will read while the traversal goes on.
  __builtin_prefetch(&s.info[i].pseudonormal[static_cast<int>(region)]);
  __builtin_prefetch(&s.info[i].face);
  // Shrink the search sphere (Embree skips stacked nodes beyond it).
  const float radius = round_up(std::sqrt(d_sq) + s.margin);
  if (radius < args->query->radius) {
    args->query->radius = radius;
    return true;  // tells Embree the radius changed
  }
  return false;
}

}  // namespace

bool SignedDistanceField::Impl::closest(const Vec3& p, double max_distance, SdfResult& out, int near_primitive) const {
  if (!p.allFinite()) throw Error("SignedDistanceField: query point is not finite");
  // Broad phase: the box is no farther than the surface.
  const double box_distance_sq = bounds.squaredExteriorDistance(p);
  if (box_distance_sq > max_distance * max_distance) return false;
  QueryState state{primitive_corners.data(), corners.data(), info.data(), p,
                   1e-6 * (max_abs_coordinate + p.cwiseAbs().maxCoeff()) + 1e-30};
  // The hint always has a triangle within it, so a query never comes back empty when it is used.
  double start = std::min(max_distance, radius_hint(p));
  if (near_primitive >= 0) {  // a triangle near p: often far tighter than the grid's vertex
    const Eigen::Vector3i& t = primitive_corners[near_primitive];
    Vec3 c;
    closest_on_triangle(p, corners[t[0]], corners[t[1]], corners[t[2]], c);
    start = std::min(start, (p - c).norm());
  }
  RTCPointQuery query;
  query.x = static_cast<float>(p.x());
  query.y = static_cast<float>(p.y());
  query.z = static_cast<float>(p.z());
  query.time = 0.f;
  query.radius = round_up(start + state.margin);
  RTCPointQueryContext context;
  rtcInitPointQueryContext(&context);
  rtcPointQuery(scene, &query, &context, point_query_callback, &state);
  if (state.primitive < 0 || state.best_sq > max_distance * max_distance) return false;

  // Pseudonormal of the closest feature: its sign test is exact for closed meshes, and equal closest
  // points from neighbouring faces name the same shared feature, so the sign is consistent. Outside
  // the bounding box a point is outside, which also holds where rounding makes the closest feature
  // ambiguous (points very far away) and next to the holes of open meshes.
  const PrimitiveInfo& winner = info[state.primitive];
  const Vec3& pseudonormal = winner.pseudonormal[static_cast<int>(state.region)];
  const Vec3& face_normal = winner.pseudonormal[0];
  int feature = 0;
  Vec3 edge_direction = Vec3::Zero();
  if (state.region >= Region::kVertex0) {
    feature = 2;
  } else if (state.region != Region::kFace) {
    feature = 1;
    const int k = static_cast<int>(state.region) - static_cast<int>(Region::kEdge0);
    const Eigen::Vector3i& t = primitive_corners[state.primitive];
    edge_direction = (corners[t[(k + 1) % 3]] - corners[t[k]]).normalized();
  }
  const Vec3 offset = p - state.closest;
  const double unsigned_distance = std::sqrt(state.best_sq);
  double sign = box_distance_sq == 0 && offset.dot(pseudonormal) < 0 ? -1.0 : 1.0;
  if (box_distance_sq == 0 && !parts.empty()) sign = inside_any_part(p) ? -1.0 : 1.0;
  // Next to a hole of an open mesh the closest feature's orientation says nothing reliable about
  // inside and outside (e.g. the apple's open stem tube): the winding number decides there.
  else if (box_distance_sq == 0 && !open_edges.empty() &&
           (((state.region != Region::kFace) && ((winner.boundary >> (static_cast<int>(state.region) - 1)) & 1u)) ||
            near_hole(p, unsigned_distance)))
    sign = winding_number(p) > 0.5 ? -1.0 : 1.0;
  out.distance = sign * unsigned_distance;
  if (unsigned_distance > kTinyDistance) {
    out.normal = sign * offset / unsigned_distance;
  } else {  // on the surface the offset has no direction: use the feature's own normal
    const double len = pseudonormal.norm();
    out.normal = len > 0 ? Vec3(pseudonormal / len) : Vec3::Zero();
  }
  // On a flat edge or vertex (a box side's diagonal, a cylinder cap's centre) the offset runs along
  // the face normal and the normal field is constant: report the face region, whose Jacobian (zero)
  // is the right one there. The same holds on the face side of any edge/vertex region boundary.
  if (feature != 0 && unsigned_distance > kTinyDistance && (out.normal - face_normal).norm() <= 1e-9) {
    feature = 0;
    edge_direction = Vec3::Zero();
  }
  out.closest = state.closest;
  out.face = winner.face;
  out.feature = feature;
  out.edge_direction = edge_direction;
  return true;
}

SignedDistanceField::SignedDistanceField(TriangleMesh mesh, const SdfOptions& options)
    : impl_(std::make_unique<Impl>()) {
  if (mesh.faces.empty()) throw Error("SignedDistanceField: mesh has no triangles");
  const int nv = static_cast<int>(mesh.vertices.size());
  for (const auto& t : mesh.faces)
    if ((t.array() < 0).any() || (t.array() >= nv).any()) throw Error("SignedDistanceField: face index out of range");
  for (const auto& v : mesh.vertices) {
    if (!v.allFinite()) throw Error("SignedDistanceField: non-finite vertex coordinates");
    impl_->max_abs_coordinate = std::max(impl_->max_abs_coordinate, v.cwiseAbs().maxCoeff());
  }
  if (options.union_of_parts) {
    std::vector<TriangleMesh> components = connected_components(mesh);
    if (components.size() > 1)
      for (auto& c : components) {
        impl_->part_bounds.push_back(c.bounding_box());
        impl_->parts.push_back(std::make_unique<SignedDistanceField>(std::move(c)));
      }
  }
  impl_->mesh = std::move(mesh);
  impl_->bounds = impl_->mesh.bounding_box();
  impl_->build_primitives();
  impl_->build_distance_grid();
  impl_->build_scene();
}

SignedDistanceField::~SignedDistanceField() = default;

const TriangleMesh& SignedDistanceField::mesh() const { return impl_->mesh; }

SdfResult SignedDistanceField::query(const Vec3& p) const {
  SdfResult r;
  // Only squared distances overflowing a double (|p| ~ 1e154) leave nothing found.
  if (!impl_->closest(p, std::numeric_limits<double>::infinity(), r))
    throw Error("SignedDistanceField: query point too far from the mesh to measure");
  return r;
}

SdfResult SignedDistanceField::query(const Vec3& p, int near_face) const {
  GRASPQP_CHECK(near_face < static_cast<int>(impl_->primitive_of_face.size()), "near_face beyond the mesh's faces");
  SdfResult r;
  if (!impl_->closest(p, std::numeric_limits<double>::infinity(), r,
                      near_face >= 0 ? impl_->primitive_of_face[near_face] : -1))
    throw Error("SignedDistanceField: query point too far from the mesh to measure");
  return r;
}

bool SignedDistanceField::query_within(const Vec3& p, double max_distance, SdfResult& out) const {
  if (!(max_distance >= 0)) return false;
  return impl_->closest(p, max_distance, out);
}

Mat3 normal_jacobian(const SdfResult& r) {
  // n = sign (p - c) / |p - c|. In a face region c moves with p in the tangent plane, so n is
  // constant; at an edge p - c = (I - e e^T)(p - a); at a vertex c is fixed. Dividing by the signed
  // distance covers both sides (inside, n = -(p - c)/|p - c|).
  if (r.feature == 0 || std::abs(r.distance) <= kTinyDistance) return Mat3::Zero();
  Mat3 projector = Mat3::Identity() - r.normal * r.normal.transpose();
  if (r.feature == 1) projector -= r.edge_direction * r.edge_direction.transpose();
  return projector / r.distance;
}

}  // namespace graspqp
