// GraspQP force-closure energy: grasp matrix, the exact box QP (energy/box_qp.hpp), SVD term and the
// analytic gradient.
#include <graspqp/energy/force_closure_qp.hpp>
#include <graspqp/error.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace graspqp {

void unit_tangents(const Vec3& n, Vec3& t1, Vec3& t2) {
  const double s = std::copysign(1.0, n.z());
  const double a = -1.0 / (s + n.z());
  const double b = n.x() * n.y() * a;
  t1 = Vec3(1.0 + s * n.x() * n.x() * a, s * b, -s * n.x());
  t2 = Vec3(b, s + n.y() * n.y() * a, -n.y());
}

namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;
using Mat6 = Eigen::Matrix<double, 6, 6>;

constexpr double kMinNormalLength = 1e-12;
constexpr int kMaxConeEdges = 64;
// F F^T counts as singular when its smallest Cholesky pivot falls below this fraction of the
// largest (then g = 0 and its gradient is dropped instead of exploding with (F F^T)^-1).
constexpr double kSingularPivotRatio = 1e-12;

void validate(const ForceClosureQpParams& p, const ContactArrayIn& points, const ContactArrayIn& normals) {
  if (points.rows() != normals.rows())
    throw Error("force closure: " + std::to_string(points.rows()) + " points but " + std::to_string(normals.rows()) +
                " normals");
  if (!(p.friction >= 0 && p.friction < 1)) throw Error("force closure: friction must be in [0, 1)");
  if (p.cone_edges < 1 || p.cone_edges > kMaxConeEdges)
    throw Error("force closure: cone_edges must be in [1, " + std::to_string(kMaxConeEdges) + "]");
  if (!std::isfinite(p.torque_weight) || !std::isfinite(p.svd_gain) || !std::isfinite(p.value_gain) ||
      !std::isfinite(p.value_eps))
    throw Error("force closure: non-finite weight");
  if (!(std::isfinite(p.lambda_min) && std::isfinite(p.lambda_max) && p.lambda_min <= p.lambda_max))
    throw Error("force closure: need finite lambda_min <= lambda_max");
  if (!points.allFinite() || !normals.allFinite()) throw Error("force closure: non-finite contact points or normals");
}

// The reference's helper direction b for t1 = n x b (§2.2 step 1).
Vec3 reference_helper(const Vec3& n) {
  const double k = 1.0 / std::sqrt(3.0);
  const Vec3 b(k, k, k);
  if (b.dot(n) / (n.norm() + 1e-6) > 0.9) return Vec3(k, k - 2.0, k);
  return b;
}

struct ContactFrame {
  Vec3 normal = Vec3::Zero();  // unit; zero when the input normal vanishes
  Vec3 t1 = Vec3::Zero(), t2 = Vec3::Zero();
  Vec3 helper = Vec3::Zero();  // reference mode: b
  double inverse_length = 0;   // 1 / |input normal|
};

ContactFrame make_frame(const Vec3& raw_normal, bool reference_tangents) {
  ContactFrame f;
  const double length = raw_normal.norm();
  if (!(length > kMinNormalLength)) return f;
  f.inverse_length = 1.0 / length;
  f.normal = raw_normal * f.inverse_length;
  if (reference_tangents) {
    f.helper = reference_helper(f.normal);
    f.t1 = f.normal.cross(f.helper);
    f.t2 = f.normal.cross(f.t1);
  } else {
    unit_tangents(f.normal, f.t1, f.t2);
  }
  return f;
}

// J_t1^T g1 + J_t2^T g2: gradient w.r.t. the unit normal of <g1, t1(n)> + <g2, t2(n)>.
Vec3 tangent_backward(const ContactFrame& f, bool reference_tangents, const Vec3& g1, const Vec3& g2) {
  const Vec3& n = f.normal;
  if (reference_tangents) {
    // t2 = n x t1 sends g2 x n to t1 and t1 x g2 to n; t1 = n x b sends b x g1 to n (b is piecewise constant).
    const Vec3 g1_total = g1 + g2.cross(n);
    return f.t1.cross(g2) + f.helper.cross(g1_total);
  }
  const double s = std::copysign(1.0, n.z());
  const double a = -1.0 / (s + n.z());
  const double a2 = a * a;
  const double x = n.x(), y = n.y();
  // Columns: partial derivatives of t1 and t2 w.r.t. n_x, n_y, n_z (see unit_tangents).
  const Vec3 dt1_dx(2 * s * x * a, s * y * a, -s), dt1_dy(0, s * x * a, 0), dt1_dz(s * x * x * a2, s * x * y * a2, 0);
  const Vec3 dt2_dx(y * a, 0, 0), dt2_dy(x * a, 2 * y * a, -1), dt2_dz(x * y * a2, y * y * a2, 0);
  return Vec3(g1.dot(dt1_dx) + g2.dot(dt2_dx), g1.dot(dt1_dy) + g2.dot(dt2_dy), g1.dot(dt1_dz) + g2.dot(dt2_dz));
}

// (cos, sin) of the pyramid edge angles 2 pi k / K, with exact zeros so that K = 4 gives
// t1, t2, -t1, -t2; tabulated to keep trigonometry out of the per-contact loops.
class EdgeDirections {
 public:
  explicit EdgeDirections(int K) : count_(K) {
    auto snap = [](double v) { return std::abs(v) < 1e-15 ? 0.0 : v; };
    for (int k = 0; k < K; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / K;
      table_[k] = {snap(std::cos(angle)), snap(std::sin(angle))};
    }
  }
  int count() const { return count_; }
  double cos(int k) const { return table_[k][0]; }
  double sin(int k) const { return table_[k][1]; }

 private:
  int count_;
  std::array<std::array<double, 2>, kMaxConeEdges> table_;
};

// Per-thread cache: K rarely changes between calls.
const EdgeDirections& edge_directions(int K) {
  thread_local EdgeDirections cached(4);
  if (cached.count() != K) cached = EdgeDirections(K);
  return cached;
}

struct SvdTerm {
  double value = 0;
  bool differentiable = false;
  Eigen::LLT<Mat6> gram;  // Cholesky of F F^T
};

void compute_svd_term(const GraspMatrix& F, SvdTerm& svd) {
  Mat6 gram = Mat6::Zero();
  for (Eigen::Index j = 0; j < F.cols(); ++j) gram.noalias() += F.col(j).head<6>() * F.col(j).head<6>().transpose();
  svd.gram.compute(gram);
  svd.value = 0;
  svd.differentiable = false;
  if (svd.gram.info() != Eigen::Success) return;
  const Vec6 pivots = svd.gram.matrixLLT().diagonal();
  if (!(pivots.minCoeff() > 0) ||
      pivots.minCoeff() * pivots.minCoeff() <= kSingularPivotRatio * pivots.maxCoeff() * pivots.maxCoeff())
    return;
  // det(F F^T)^(1/12) = (prod of pivots²)^(1/12), through logs to avoid under/overflow.
  svd.value = std::exp(pivots.array().log().sum() / 6.0);
  svd.differentiable = true;
}

}  // namespace

void build_grasp_matrix(const ForceClosureQpParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, GraspMatrix& F) {
  validate(params, points, normals);
  const int n = static_cast<int>(points.rows()), K = params.cone_edges;
  const double mu = params.friction, normal_part = std::sqrt(1.0 - mu * mu);
  const EdgeDirections& directions = edge_directions(K);
  F.resize(6, n * K);
  for (int i = 0; i < n; ++i) {
    const ContactFrame f = make_frame(normals.row(i).transpose(), params.reference_tangents);
    const Vec3 arm = points.row(i).transpose() - centre;
    for (int k = 0; k < K; ++k) {
      const Vec3 edge = (normal_part * f.normal + mu * (directions.cos(k) * f.t1 + directions.sin(k) * f.t2)) / K;
      F.col(i * K + k) << edge, params.torque_weight * arm.cross(edge);
    }
  }
}

namespace {

void evaluate(const ForceClosureQpParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
              const Vec3& centre, ForceClosureQpWorkspace& ws, ForceClosureQpResult& result, SvdTerm& svd) {
  build_grasp_matrix(params, points, normals, centre, ws.grasp);
  const BoxQpStats stats =
      solve_box_qp(ws.grasp, params.lambda_min, params.lambda_max, ws.qp, result.lambda, params.qp_method);
  result.residual = 0.5 * (ws.grasp * result.lambda).squaredNorm();
  result.kkt_residual = stats.kkt_residual;
  result.iterations = stats.iterations;
  result.converged = stats.converged;
  const int n = static_cast<int>(points.rows()), K = params.cone_edges;
  result.contact_force = result.lambda.reshaped(K, n).colwise().sum().transpose();
  compute_svd_term(ws.grasp, svd);
  result.svd_term = svd.value;
  result.energy = params.value_gain * (result.residual + params.value_eps) * std::exp(-params.svd_gain * svd.value);
}

// dE/dF = A (F lambda) lambda^T + B (F F^T)^-1 F, the second term only where g is differentiable.
void grasp_matrix_gradient(const ForceClosureQpParams& params, const ForceClosureQpResult& result, const SvdTerm& svd,
                           ForceClosureQpWorkspace& ws) {
  const double decay = std::exp(-params.svd_gain * result.svd_term);
  const double residual_factor = params.value_gain * decay;
  const Vec6 wrench = ws.grasp * result.lambda;
  if (svd.differentiable) {
    const double svd_factor =
        -params.value_gain * (result.residual + params.value_eps) * params.svd_gain * decay * svd.value / 6.0;
    const Mat6 scaled_inverse = svd_factor * svd.gram.solve(Mat6::Identity());
    ws.grad_grasp.resize(6, ws.grasp.cols());
    for (Eigen::Index j = 0; j < ws.grasp.cols(); ++j)
      ws.grad_grasp.col(j).noalias() = scaled_inverse * ws.grasp.col(j).head<6>();
  } else {
    ws.grad_grasp.setZero(6, ws.grasp.cols());
  }
  for (Eigen::Index j = 0; j < ws.grasp.cols(); ++j)
    ws.grad_grasp.col(j) += (residual_factor * result.lambda[j]) * wrench;
}

// Chains dE/dF to the contact points (torque arms) and normals (edges through n, t1, t2).
void contact_gradients(const ForceClosureQpParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                       const Vec3& centre, const ForceClosureQpWorkspace& ws, ContactArrayOut dE_dp,
                       ContactArrayOut dE_dn) {
  const int n = static_cast<int>(points.rows()), K = params.cone_edges;
  const double mu = params.friction, normal_part = std::sqrt(1.0 - mu * mu), w = params.torque_weight;
  const EdgeDirections& directions = edge_directions(K);
  for (int i = 0; i < n; ++i) {
    const ContactFrame f = make_frame(normals.row(i).transpose(), params.reference_tangents);
    const Vec3 arm = points.row(i).transpose() - centre;
    Vec3 g_arm = Vec3::Zero(), g_normal = Vec3::Zero(), g_t1 = Vec3::Zero(), g_t2 = Vec3::Zero();
    for (int k = 0; k < K; ++k) {
      const int col = i * K + k;
      const Vec3 edge = ws.grasp.col(col).head<3>();
      const Vec3 g_force = ws.grad_grasp.col(col).head<3>(), g_torque = ws.grad_grasp.col(col).tail<3>();
      // <g_torque, w (r x e)> = w <r, e x g_torque> = w <e, g_torque x r>.
      g_arm += w * edge.cross(g_torque);
      const Vec3 g_edge = (g_force + w * g_torque.cross(arm)) / K;
      g_normal += normal_part * g_edge;
      g_t1 += mu * directions.cos(k) * g_edge;
      g_t2 += mu * directions.sin(k) * g_edge;
    }
    dE_dp.row(i) = g_arm.transpose();
    if (f.inverse_length == 0) {
      dE_dn.row(i).setZero();
      continue;
    }
    g_normal += tangent_backward(f, params.reference_tangents, g_t1, g_t2);
    // Through the normalisation n / |n|.
    dE_dn.row(i) = ((g_normal - f.normal.dot(g_normal) * f.normal) * f.inverse_length).transpose();
  }
}

}  // namespace

void force_closure_qp_energy(const ForceClosureQpParams& params, const ContactArrayIn& points,
                             const ContactArrayIn& normals, const Vec3& centre, ForceClosureQpWorkspace& ws,
                             ForceClosureQpResult& result) {
  SvdTerm svd;
  evaluate(params, points, normals, centre, ws, result, svd);
}

void force_closure_qp_energy(const ForceClosureQpParams& params, const ContactArrayIn& points,
                             const ContactArrayIn& normals, const Vec3& centre, ForceClosureQpWorkspace& ws,
                             ForceClosureQpResult& result, ContactArrayOut dE_dp, ContactArrayOut dE_dn) {
  if (dE_dp.rows() != points.rows() || dE_dn.rows() != points.rows())
    throw Error("force closure: gradient arrays must have one row per contact");
  SvdTerm svd;
  evaluate(params, points, normals, centre, ws, result, svd);
  grasp_matrix_gradient(params, result, svd, ws);
  contact_gradients(params, points, normals, centre, ws, dE_dp, dE_dn);
}

}  // namespace graspqp
