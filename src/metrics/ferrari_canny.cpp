// Ferrari-Canny Q1 through Qhull's reentrant API.
#include <graspqp/error.hpp>
#include <graspqp/metrics/ferrari_canny.hpp>

#include <Eigen/Geometry>

extern "C" {
#include <libqhull_r/libqhull_r.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace graspqp {

void primitive_wrenches(const FerrariCannyParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, double torque_scale, WrenchArray& wrenches) {
  if (points.rows() != normals.rows())
    throw Error("Ferrari-Canny: " + std::to_string(points.rows()) + " points but " + std::to_string(normals.rows()) +
                " normals");
  if (!(params.friction >= 0) || !std::isfinite(params.friction)) throw Error("Ferrari-Canny: friction must be >= 0");
  if (params.cone_edges < 1) throw Error("Ferrari-Canny: cone_edges must be >= 1");
  if (!(torque_scale > 0) || !std::isfinite(torque_scale)) throw Error("Ferrari-Canny: torque_scale must be > 0");
  if (!points.allFinite() || !normals.allFinite()) throw Error("Ferrari-Canny: non-finite contact points or normals");

  const int K = params.cone_edges;
  wrenches.resize(points.rows() * K, 6);
  Eigen::Index row = 0;
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    const double length = normals.row(i).norm();
    if (!(length > 1e-12)) continue;
    const Vec3 n = normals.row(i).transpose() / length;
    Vec3 t1, t2;
    unit_tangents(n, t1, t2);
    const Vec3 arm = points.row(i).transpose() - centre;
    for (int k = 0; k < K; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / K;
      const Vec3 force = (-n + params.friction * (std::cos(angle) * t1 + std::sin(angle) * t2)).normalized();
      wrenches.row(row) << force.transpose(), arm.cross(force).transpose() / torque_scale;
      ++row;
    }
  }
  wrenches.conservativeResize(row, 6);
}

namespace {

// Qhull reports to a FILE*: degenerate hulls are expected here, so its messages go nowhere.
FILE* qhull_message_sink() {
  static FILE* const sink = [] {
    FILE* f = std::fopen("/dev/null", "w");
    return f ? f : stderr;
  }();
  return sink;
}

// Runs Qhull with `options` and stores the smallest distance from the origin to a facet plane
// (<= 0 when the origin is not strictly inside); returns Qhull's exit code. `joggle` receives the
// largest input perturbation Qhull applied ('QJ'), 0 without joggling.
int smallest_facet_distance(std::vector<coordT>& coords, int count, const char* options, double& distance,
                            double& joggle) {
  static const bool library_checked = [] {
    QHULL_LIB_CHECK
    return true;
  }();
  (void)library_checked;
  qhT qh_state;
  qhT* qh = &qh_state;
  FILE* sink = qhull_message_sink();
  qh_zero(qh, sink);
  std::string command = std::string("qhull ") + options;
  const int code = qh_new_qhull(qh, 6, count, coords.data(), False, command.data(), nullptr, sink);
  if (code == qh_ERRnone) {
    distance = std::numeric_limits<double>::infinity();
    facetT* facet;
    FORALLfacets distance = std::min(distance, -facet->offset);  // outward unit normals: offset = -distance
    joggle = qh->JOGGLEmax < REALmax / 2 ? qh->JOGGLEmax : 0.0;
  }
  qh_freeqhull(qh, !qh_ALL);
  int still_long = 0, total_long = 0;
  qh_memfreeshort(qh, &still_long, &total_long);
  return code;
}

}  // namespace

double largest_inscribed_ball(const Eigen::Ref<const WrenchArray>& wrenches) {
  const int count = static_cast<int>(wrenches.rows());
  if (count < 7 || !wrenches.allFinite()) return 0;
  std::vector<coordT> coords(6 * static_cast<size_t>(count));
  for (int i = 0; i < count; ++i)
    for (int c = 0; c < 6; ++c) coords[6 * i + c] = wrenches(i, c);
  // Joggled input ('QJ') gives a simplicial hull without facet merging, about twice as fast as
  // exact merging ('Qx') in 6-D; it moves the points by at most `joggle` per coordinate, so
  // distances within a few joggles of zero (the origin on the boundary, or a flat hull, which
  // joggling thickens to ~joggle) count as "not strictly inside".
  double distance = 0, joggle = 0;
  int code = smallest_facet_distance(coords, count, "QJ", distance, joggle);
  if (code != qh_ERRnone) {
    for (int i = 0; i < count; ++i)
      for (int c = 0; c < 6; ++c) coords[6 * i + c] = wrenches(i, c);  // Qhull may have joggled them
    code = smallest_facet_distance(coords, count, "Qx", distance, joggle);
  }
  if (code != qh_ERRnone) return 0;  // e.g. flat input under 'Qx' (qh_ERRsingular): no interior
  const double scale = wrenches.cwiseAbs().maxCoeff();
  const double zero = std::max(8.0 * joggle * std::sqrt(6.0), 1e-12 * scale);
  return distance > zero ? distance : 0.0;
}

double ferrari_canny_q1(const FerrariCannyParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, double torque_scale) {
  WrenchArray wrenches;
  primitive_wrenches(params, points, normals, centre, torque_scale, wrenches);
  return largest_inscribed_ball(wrenches);
}

}  // namespace graspqp
