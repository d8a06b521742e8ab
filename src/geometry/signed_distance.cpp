// Signed distance through an Embree BVH (rtcPointQuery) with exact double-precision closest points
// and the sign from angle-weighted pseudonormals (Baerentzen & Aanaes 2005).
#include <graspqp/error.hpp>
#include <graspqp/geometry/signed_distance.hpp>

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

// Closest feature of a triangle (a, b, c) = (v0, v1, v2). Edges are numbered by their first vertex:
// edge k joins vertex k and vertex (k + 1) % 3.
enum class Region : std::uint8_t { kFace, kEdge0, kEdge1, kEdge2, kVertex0, kVertex1, kVertex2 };

// A closest point within ~1e-14 of an edge end is on the vertex: snapping makes equal closest points
// computed from neighbouring triangles name the same (shared) feature despite rounding.
constexpr double kSnap = 1e-14;

// Closest point of segment [a, b] to p, as a parameter in [0, 1] (0 or 1 at the ends).
inline double segment_parameter(const Vec3& p, const Vec3& a, const Vec3& b) {
  const Vec3 ab = b - a;
  const double len_sq = ab.squaredNorm();
  if (!(len_sq > 0)) return 0;
  const double t = (p - a).dot(ab) / len_sq;
  return t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
}

inline Region edge_or_vertex(double t, int edge) {
  if (t == 0) return static_cast<Region>(static_cast<int>(Region::kVertex0) + edge);
  if (t == 1) return static_cast<Region>(static_cast<int>(Region::kVertex0) + (edge + 1) % 3);
  return static_cast<Region>(static_cast<int>(Region::kEdge0) + edge);
}

// Fallback for degenerate (zero-area) triangles: the closest point lies on one of the three edges.
Region closest_on_edges(const Vec3& p, const std::array<Vec3, 3>& v, Vec3& closest) {
  double best = std::numeric_limits<double>::infinity();
  Region region = Region::kVertex0;
  for (int k = 0; k < 3; ++k) {
    const Vec3& a = v[k];
    const Vec3& b = v[(k + 1) % 3];
    const double t = segment_parameter(p, a, b);
    const Vec3 c = t == 1 ? b : Vec3(a + t * (b - a));
    const double d = (p - c).squaredNorm();
    if (d < best) {
      best = d;
      closest = c;
      region = edge_or_vertex(t, k);
    }
  }
  return region;
}

// Exact closest point of triangle v to p (Ericson, Real-Time Collision Detection, 5.1.5), with
// the Voronoi region it lies in. Edge parameters are clamped so rounding cannot leave the triangle.
Region closest_on_triangle(const Vec3& p, const std::array<Vec3, 3>& v, Vec3& closest) {
  const Vec3& a = v[0];
  const Vec3& b = v[1];
  const Vec3& c = v[2];
  const Vec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0 && d2 <= 0) {
    closest = a;
    return Region::kVertex0;
  }
  const Vec3 bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0 && d4 <= d3) {
    closest = b;
    return Region::kVertex1;
  }
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    double t = d1 - d3 > 0 ? d1 / (d1 - d3) : 0.0;
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 1 ? b : Vec3(a + t * ab);
    return edge_or_vertex(t, 0);
  }
  const Vec3 cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0 && d5 <= d6) {
    closest = c;
    return Region::kVertex2;
  }
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    // Edge c -> a (edge 2), parameterised from c so the numbering matches edge_or_vertex.
    double w = d2 - d6 > 0 ? d2 / (d2 - d6) : 0.0;  // fraction from a towards c
    double t = 1 - w;                                // fraction from c towards a
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 0 ? c : (t == 1 ? a : Vec3(a + w * ac));
    return edge_or_vertex(t, 2);
  }
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    const double den = (d4 - d3) + (d5 - d6);
    double t = den > 0 ? (d4 - d3) / den : 0.0;
    t = t <= kSnap ? 0.0 : (t >= 1 - kSnap ? 1.0 : t);
    closest = t == 1 ? c : Vec3(b + t * (c - b));
    return edge_or_vertex(t, 1);
  }
  const double sum = va + vb + vc;
  const double bv = vb / sum, bw = vc / sum;
  // sum is twice the squared area times |n|^2; for (near-)degenerate triangles the barycentrics are garbage.
  if (!(sum > 0) || !(bv >= 0) || !(bw >= 0) || !(bv + bw <= 1)) return closest_on_edges(p, v, closest);
  closest = a + bv * ab + bw * ac;
  return Region::kFace;
}

constexpr double kTinyDistance = 1e-12;

}  // namespace

// Per-primitive data for the cheap rejection test in the query callback: 32 bytes of floats (two
// primitives per cache line) instead of the 72-byte exact corners. Both bounds are conservative for
// the exact double triangle (see build_primitives).
struct alignas(32) PrimitiveBound {
  float normal[3];     // unit plane normal (rounded to float)
  float plane_offset;  // normal . corner, for the plane distance |normal . p - offset|
  float centre[3];     // bounding sphere of the corners
  float radius;        // rounded up so the sphere contains the exact triangle
};

// What the end of a query needs about the winning primitive, in one place (one cache miss).
struct PrimitiveInfo {
  Vec3 normal;                 // unit face normal (zero for degenerate faces)
  std::array<int, 3> edge;     // edge id of edge k (corner k -> k+1)
  std::array<int, 3> vertex;   // mesh vertex of corner k
  int face;                    // mesh face index
};

struct SignedDistanceField::Impl {
  TriangleMesh mesh;
  // BVH primitives are the faces in Morton order of their centroids, so the triangles of a BVH leaf
  // are neighbours in memory: the query callback is bound by cache misses, not arithmetic.
  std::vector<PrimitiveBound> bounds;
  std::vector<std::array<Vec3, 3>> triangles;  // exact corners per primitive
  std::vector<PrimitiveInfo> info;
  std::vector<Vec3> edge_pseudonormals;    // per edge: sum of the normals of the faces sharing it
  std::vector<Vec3> vertex_pseudonormals;  // per mesh vertex: incident face normals weighted by angle
  double max_abs_coordinate = 0;           // scale for the float-rounding slack
  RTCDevice device = nullptr;
  RTCScene scene = nullptr;

  ~Impl() {
    if (scene) rtcReleaseScene(scene);
    if (device) rtcReleaseDevice(device);
  }

  void build_primitives();
  void build_pseudonormals();
  void build_scene();
  bool closest(const Vec3& p, double max_distance, SdfResult& out) const;
};

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

  bounds.resize(nf);
  triangles.resize(nf);
  info.resize(nf);
  for (int i = 0; i < nf; ++i) {
    const int f = keyed[i].second;
    const auto& t = mesh.faces[f];
    const std::array<Vec3, 3> corners = {mesh.vertices[t[0]], mesh.vertices[t[1]], mesh.vertices[t[2]]};
    triangles[i] = corners;
    info[i].normal = mesh.face_normal(f);
    info[i].vertex = {t[0], t[1], t[2]};
    info[i].face = f;
    // Plane: the offset is computed from the float-rounded normal, so the only slack is the normal's
    // rounding times the triangle size, far below the query margin. A degenerate face has a zero
    // normal and never gets rejected by its plane.
    PrimitiveBound& b = bounds[i];
    Vec3 normal_rounded;
    for (int k = 0; k < 3; ++k) normal_rounded[k] = b.normal[k] = static_cast<float>(info[i].normal[k]);
    b.plane_offset = static_cast<float>(normal_rounded.dot(corners[0]));
    // Sphere: centred at the rounded centroid, radius measured from that centre and rounded up.
    Vec3 centre_rounded;
    const Vec3 centroid = (corners[0] + corners[1] + corners[2]) / 3;
    for (int k = 0; k < 3; ++k) centre_rounded[k] = b.centre[k] = static_cast<float>(centroid[k]);
    double radius = 0;
    for (const Vec3& c : corners) radius = std::max(radius, (c - centre_rounded).norm());
    b.radius = round_up(radius * (1 + 1e-12));
  }
}

void SignedDistanceField::Impl::build_pseudonormals() {
  const int n_primitives = static_cast<int>(info.size());
  vertex_pseudonormals.assign(mesh.vertices.size(), Vec3::Zero());
  for (int i = 0; i < n_primitives; ++i)
    for (int k = 0; k < 3; ++k) {
      const Vec3 e1 = triangles[i][(k + 1) % 3] - triangles[i][k];
      const Vec3 e2 = triangles[i][(k + 2) % 3] - triangles[i][k];
      const double angle = std::atan2(e1.cross(e2).norm(), e1.dot(e2));
      vertex_pseudonormals[info[i].vertex[k]] += angle * info[i].normal;
    }
  // Edge ids: sort the 3F (min, max, slot) entries so the faces sharing an edge are adjacent.
  struct HalfEdge {
    int lo, hi, slot;  // slot = 3 * primitive + k
  };
  std::vector<HalfEdge> half_edges;
  half_edges.reserve(3 * static_cast<size_t>(n_primitives));
  for (int i = 0; i < n_primitives; ++i)
    for (int k = 0; k < 3; ++k) {
      const auto [lo, hi] = std::minmax(info[i].vertex[k], info[i].vertex[(k + 1) % 3]);
      half_edges.push_back({lo, hi, 3 * i + k});
    }
  std::sort(half_edges.begin(), half_edges.end(), [](const HalfEdge& x, const HalfEdge& y) {
    return std::tie(x.lo, x.hi, x.slot) < std::tie(y.lo, y.hi, y.slot);
  });
  edge_pseudonormals.clear();
  for (size_t i = 0; i < half_edges.size();) {
    size_t j = i;
    Vec3 sum = Vec3::Zero();
    // A boundary edge has one face, so its pseudonormal is that face's normal.
    for (; j < half_edges.size() && half_edges[j].lo == half_edges[i].lo && half_edges[j].hi == half_edges[i].hi; ++j) {
      const int primitive = half_edges[j].slot / 3;
      sum += info[primitive].normal;
      info[primitive].edge[half_edges[j].slot % 3] = static_cast<int>(edge_pseudonormals.size());
    }
    edge_pseudonormals.push_back(sum);
    i = j;
  }
}

void SignedDistanceField::Impl::build_scene() {
  device = shared_device();
  rtcRetainDevice(device);
  scene = rtcNewScene(device);
  rtcSetSceneBuildQuality(scene, RTC_BUILD_QUALITY_HIGH);
  RTCGeometry geometry = rtcNewGeometry(device, RTC_GEOMETRY_TYPE_TRIANGLE);
  auto* vertices = static_cast<float*>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_VERTEX, 0, RTC_FORMAT_FLOAT3,
                                                               3 * sizeof(float), mesh.vertices.size()));
  auto* indices = static_cast<unsigned*>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3,
                                                                 3 * sizeof(unsigned), info.size()));
  if (!vertices || !indices) {
    rtcReleaseGeometry(geometry);
    throw Error("SignedDistanceField: Embree could not allocate the mesh buffers");
  }
  for (size_t v = 0; v < mesh.vertices.size(); ++v)
    for (int k = 0; k < 3; ++k) vertices[3 * v + k] = static_cast<float>(mesh.vertices[v][k]);
  for (size_t i = 0; i < info.size(); ++i)  // primitive id i is face info[i].face
    for (int k = 0; k < 3; ++k) indices[3 * i + k] = static_cast<unsigned>(info[i].vertex[k]);
  rtcCommitGeometry(geometry);
  rtcAttachGeometry(scene, geometry);
  rtcReleaseGeometry(geometry);  // the scene holds it now
  rtcCommitScene(scene);
  if (rtcGetDeviceError(device) != RTC_ERROR_NONE) throw Error("SignedDistanceField: Embree failed to build the BVH");
}

namespace {

// Per-query state, on the caller's stack and passed to Embree as the user pointer (no shared mutable state).
struct QueryState {
  const PrimitiveBound* bounds;
  const std::array<Vec3, 3>* triangles;
  Vec3 p;
  // Absolute slack for float rounding: of p and the BVH boxes in Embree's culling, and of the
  // float bounds in the rejection test. Far above those errors, far below any useful distance.
  double margin;
  double best = std::numeric_limits<double>::infinity();  // sqrt(best_sq), for the rejection test
  double best_sq = std::numeric_limits<double>::infinity();
  int primitive = -1;
  Region region = Region::kFace;
  Vec3 closest = Vec3::Zero();
};

// Embree calls this for every triangle in a BVH leaf that overlaps the current query sphere.
bool point_query_callback(RTCPointQueryFunctionArguments* args) {
  auto& s = *static_cast<QueryState*>(args->userPtr);
  const int i = static_cast<int>(args->primID);
  // Most calls are for triangles of nearby leaves that cannot win: reject them from the plane and
  // bounding-sphere distances (lower bounds) before touching the exact corners.
  const PrimitiveBound& b = s.bounds[i];
  const double reach = s.best + s.margin;
  const double plane_gap = std::abs(b.normal[0] * s.p.x() + b.normal[1] * s.p.y() + b.normal[2] * s.p.z() - b.plane_offset);
  if (plane_gap > reach) return false;
  const double dx = s.p.x() - b.centre[0], dy = s.p.y() - b.centre[1], dz = s.p.z() - b.centre[2];
  const double sphere_reach = reach + b.radius;
  if (dx * dx + dy * dy + dz * dz > sphere_reach * sphere_reach) return false;

  Vec3 c;
  const Region region = closest_on_triangle(s.p, s.triangles[i], c);
  const double d_sq = (s.p - c).squaredNorm();
  // Ties (same distance from different faces) go to the lowest primitive id: independent of the
  // traversal order.
  if (d_sq > s.best_sq || (d_sq == s.best_sq && i > s.primitive)) return false;
  s.best_sq = d_sq;
  s.best = std::sqrt(d_sq);
  s.primitive = i;
  s.region = region;
  s.closest = c;
  // Shrink the search sphere. Embree 3 only uses it to skip nodes popped from its stack (without
  // instancing, the node test keeps the initial radius), which is why the rejection test above pays.
  const float radius = round_up(s.best + s.margin);
  if (radius < args->query->radius) {
    args->query->radius = radius;
    return true;  // tells Embree the radius changed
  }
  return false;
}

}  // namespace

bool SignedDistanceField::Impl::closest(const Vec3& p, double max_distance, SdfResult& out) const {
  if (!p.allFinite()) throw Error("SignedDistanceField: query point is not finite");
  QueryState state{bounds.data(), triangles.data(), p, 1e-6 * (max_abs_coordinate + p.cwiseAbs().maxCoeff()) + 1e-30};
  RTCPointQuery query;
  query.x = static_cast<float>(p.x());
  query.y = static_cast<float>(p.y());
  query.z = static_cast<float>(p.z());
  query.time = 0.f;
  query.radius = std::isinf(max_distance) ? std::numeric_limits<float>::infinity() : round_up(max_distance + state.margin);
  RTCPointQueryContext context;
  rtcInitPointQueryContext(&context);
  rtcPointQuery(scene, &query, &context, point_query_callback, &state);
  if (state.primitive < 0 || state.best_sq > max_distance * max_distance) return false;

  // Pseudonormal of the closest feature: its sign test is exact for closed meshes (and equal
  // closest points from neighbouring faces name the same shared feature, so the sign is consistent).
  const PrimitiveInfo& winner = info[state.primitive];
  Vec3 pseudonormal;
  int feature = 0;
  Vec3 edge_direction = Vec3::Zero();
  switch (state.region) {
    case Region::kFace: pseudonormal = winner.normal; break;
    case Region::kEdge0:
    case Region::kEdge1:
    case Region::kEdge2: {
      const int k = static_cast<int>(state.region) - static_cast<int>(Region::kEdge0);
      pseudonormal = edge_pseudonormals[winner.edge[k]];
      feature = 1;
      const auto& corners = triangles[state.primitive];
      edge_direction = (corners[(k + 1) % 3] - corners[k]).normalized();
      break;
    }
    default: {
      const int k = static_cast<int>(state.region) - static_cast<int>(Region::kVertex0);
      pseudonormal = vertex_pseudonormals[winner.vertex[k]];
      feature = 2;
      break;
    }
  }
  const Vec3 offset = p - state.closest;
  const double unsigned_distance = state.best;
  const double sign = offset.dot(pseudonormal) < 0 ? -1.0 : 1.0;
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
  if (feature != 0 && unsigned_distance > kTinyDistance && (out.normal - winner.normal).norm() <= 1e-9) {
    feature = 0;
    edge_direction = Vec3::Zero();
  }
  out.closest = state.closest;
  out.face = winner.face;
  out.feature = feature;
  out.edge_direction = edge_direction;
  return true;
}

SignedDistanceField::SignedDistanceField(TriangleMesh mesh) : impl_(std::make_unique<Impl>()) {
  if (mesh.faces.empty()) throw Error("SignedDistanceField: mesh has no triangles");
  const int nv = static_cast<int>(mesh.vertices.size());
  for (const auto& t : mesh.faces)
    if ((t.array() < 0).any() || (t.array() >= nv).any())
      throw Error("SignedDistanceField: face index out of range");
  for (const auto& v : mesh.vertices) {
    if (!v.allFinite()) throw Error("SignedDistanceField: non-finite vertex coordinates");
    impl_->max_abs_coordinate = std::max(impl_->max_abs_coordinate, v.cwiseAbs().maxCoeff());
  }
  impl_->mesh = std::move(mesh);
  impl_->build_primitives();
  impl_->build_pseudonormals();
  impl_->build_scene();
}

SignedDistanceField::~SignedDistanceField() = default;

const TriangleMesh& SignedDistanceField::mesh() const { return impl_->mesh; }

SdfResult SignedDistanceField::query(const Vec3& p) const {
  SdfResult r;
  impl_->closest(p, std::numeric_limits<double>::infinity(), r);
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
