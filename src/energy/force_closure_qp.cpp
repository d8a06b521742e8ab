// GraspQP force-closure energy: grasp matrix, exact box QP (bounded-variable least squares, with
// Wolfe's minimum-norm point on the zonotope as a fallback), SVD term and the analytic gradient.
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
using GraspRef = Eigen::Ref<const GraspMatrix>;
constexpr int kMaxCorral = BoxQpWorkspace::kMaxCorral;
using CorralPoints = Eigen::Matrix<double, 6, kMaxCorral>;

// Gram-matrix Cholesky pivots below this fraction of the largest diagonal entry mean linear
// (affine) dependence: about 3e-7 in relative distance, well above the rounding noise of ~1e-16.
constexpr double kPivotTolerance = 1e-13;
constexpr double kEps = std::numeric_limits<double>::epsilon();

double clamp(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }

// Natural KKT residual: zero exactly when lambda is a fixed point of the projected gradient step,
// i.e. primal feasible, stationary, with bound multipliers of the right sign. Leaves F^T F lambda in `gradient`.
double kkt_residual(const GraspRef& F, double lower, double upper, const Eigen::VectorXd& lambda,
                    Eigen::VectorXd& gradient) {
  const Vec6 x = F * lambda;
  gradient.noalias() = F.transpose() * x;
  double worst = 0;
  for (Eigen::Index j = 0; j < lambda.size(); ++j)
    worst = std::max(worst, std::abs(lambda[j] - clamp(lambda[j] - gradient[j], lower, upper)));
  return lambda.allFinite() ? worst : std::numeric_limits<double>::infinity();
}

using SmallMatrix = Eigen::Matrix<double, kMaxCorral, kMaxCorral>;
using SmallVector = Eigen::Matrix<double, kMaxCorral, 1>;

// Solves A y = rhs in place for the leading k x k block (k <= 7) of a symmetric positive definite A
// by Cholesky. Only the stationarity of the solution matters downstream, and that stays accurate
// through the Gram matrix (backward error eps |A|). False when A is numerically singular.
bool small_cholesky_solve(const SmallMatrix& A, int k, SmallVector& rhs) {
  double L[kMaxCorral][kMaxCorral];
  const double largest = A.diagonal().head(k).maxCoeff();
  for (int j = 0; j < k; ++j) {
    double pivot = A(j, j);
    for (int p = 0; p < j; ++p) pivot -= L[j][p] * L[j][p];
    if (!(pivot > kPivotTolerance * largest)) return false;
    const double inverse = 1.0 / std::sqrt(pivot);
    L[j][j] = inverse;  // reciprocal on the diagonal: no divisions in the dependency chains below
    for (int i = j + 1; i < k; ++i) {
      double v = A(i, j);
      for (int p = 0; p < j; ++p) v -= L[i][p] * L[j][p];
      L[i][j] = v * inverse;
    }
  }
  for (int i = 0; i < k; ++i) {
    for (int p = 0; p < i; ++p) rhs[i] -= L[i][p] * rhs[p];
    rhs[i] *= L[i][i];
  }
  for (int i = k - 1; i >= 0; --i) {
    for (int p = i + 1; p < k; ++p) rhs[i] -= L[p][i] * rhs[p];
    rhs[i] *= L[i][i];
  }
  return true;
}

// Minimum-norm point of the affine hull of k corral points with Gram matrix `gram`:
// min |P a|² s.t. 1^T a = 1 gives a ∝ (P^T P + rho² 1 1^T)^-1 1 for any rho (Wolfe 1976); rho² =
// the largest squared norm balances the two terms. False when the points are affinely dependent.
bool affine_min_norm_weights(const SmallMatrix& gram, int k, SmallVector& alpha) {
  const double rho_sq = std::max(gram.diagonal().head(k).maxCoeff(), 1e-300);
  const SmallMatrix augmented = gram.array() + rho_sq;
  alpha.head(k).setOnes();
  if (!small_cholesky_solve(augmented, k, alpha)) return false;
  alpha.head(k) /= alpha.head(k).sum();
  return alpha.head(k).allFinite();
}

// Wolfe's minimum-norm-point algorithm on Z = {F lambda : lower <= lambda <= upper}. The iterate x
// is a convex combination of at most 7 affinely independent vertices of Z (the corral); each vertex
// keeps its box corner so that lambda = sum_v w_v lambda_v reproduces x.
class MinNormPointSolver {
 public:
  MinNormPointSolver(const GraspRef& F, double lower, double upper, BoxQpWorkspace& ws)
      : F_(F), lower_(lower), upper_(upper), ws_(ws) {}

  // Returns the number of major iterations; `lambda` holds the recovered box point.
  int run(int max_iterations, Eigen::VectorXd& lambda) {
    // Start at the vertex furthest towards the origin as seen from the zonotope's centre.
    const Vec6 centre = 0.5 * (lower_ + upper_) * F_.rowwise().sum();
    x_ = support(centre);
    add_point(x_, 1.0);
    int iteration = 1;
    for (; iteration <= max_iterations; ++iteration) {
      const Vec6 v = support(x_);
      // Every corral point satisfies <x, s> = |x|²: if no vertex is lower by more than the
      // tolerance, each bound coordinate is off its optimal bound by at most gap / (upper - lower).
      const double gap = x_.squaredNorm() - x_.dot(v);
      if (gap <= gap_tolerance(v)) break;
      if (size_ == kMaxCorral) break;  // a full simplex holds the origin; only rounding remains
      add_point(v, 0.0);
      if (!reduce_to_corral()) break;  // numerically stuck; the caller's KKT check decides
    }
    lambda.noalias() = ws_.corral_lambda.leftCols(size_) * weights_.head(size_);
    return iteration;
  }

 private:
  // Vertex of Z minimising <direction, z>: upper bound wherever a column points against `direction`.
  Vec6 support(const Vec6& direction) {
    Vec6 vertex = Vec6::Zero();
    for (Eigen::Index j = 0; j < F_.cols(); ++j) {
      const auto column = F_.col(j).template head<6>();
      const double bound = column.dot(direction) < 0 ? upper_ : lower_;
      ws_.vertex_lambda[j] = bound;
      vertex += bound * column;
    }
    return vertex;
  }

  double gap_tolerance(const Vec6& v) const {
    const double target = 0.1 * kBoxQpKktTolerance * (upper_ - lower_);
    const double rounding = 64 * kEps * x_.norm() * (x_.norm() + v.norm());
    return std::max(target, rounding);
  }

  void add_point(const Vec6& point, double weight) {
    points_.col(size_) = point;
    for (int i = 0; i <= size_; ++i) gram_(size_, i) = gram_(i, size_) = point.dot(points_.col(i));
    ws_.corral_lambda.col(size_) = ws_.vertex_lambda;
    weights_[size_] = weight;
    ++size_;
  }

  void remove_point(int i) {
    const int last = size_ - 1;
    if (i != last) {
      points_.col(i) = points_.col(last);
      gram_.row(i) = gram_.row(last);  // then the column: (i, i) receives (last, last)
      gram_.col(i) = gram_.col(last);
      ws_.corral_lambda.col(i) = ws_.corral_lambda.col(last);
      weights_[i] = weights_[last];
    }
    --size_;
  }

  // Wolfe's minor cycles: move towards the affine minimiser of the corral until it lies inside the
  // corral's simplex, dropping points whose weight reaches zero. False if no progress is possible.
  bool reduce_to_corral() {
    SmallVector alpha;
    for (int cycle = 0; cycle <= kMaxCorral; ++cycle) {
      if (!affine_min_norm_weights(gram_, size_, alpha)) return drop_newest_if_unweighted();
      if ((alpha.head(size_).array() > 0).all()) {
        weights_.head(size_) = alpha.head(size_);
        x_.noalias() = points_.leftCols(size_) * weights_.head(size_);
        return true;
      }
      // Largest step from the current weights towards alpha that keeps all weights >= 0.
      double theta = 1.0;
      int leaving = -1;
      for (int i = 0; i < size_; ++i) {
        if (alpha[i] > 0) continue;
        const double denom = weights_[i] - alpha[i];
        const double t = denom > 0 ? weights_[i] / denom : 0.0;
        if (leaving < 0 || t < theta) theta = t, leaving = i;
      }
      // The new vertex leaving at once means rounding undid Wolfe's descent guarantee.
      if (cycle == 0 && leaving == size_ - 1 && theta == 0) return drop_newest_if_unweighted();
      weights_.head(size_) = (1 - theta) * weights_.head(size_) + theta * alpha.head(size_);
      weights_[leaving] = 0;
      for (int i = size_ - 1; i >= 0; --i)
        if (weights_[i] <= 0) remove_point(i);
      weights_.head(size_) /= weights_.head(size_).sum();
      x_.noalias() = points_.leftCols(size_) * weights_.head(size_);
    }
    return false;
  }

  // Keeps the current convex combination valid when the minor cycle cannot proceed.
  bool drop_newest_if_unweighted() {
    if (weights_[size_ - 1] <= 0) remove_point(size_ - 1);
    weights_.head(size_) /= weights_.head(size_).sum();
    x_.noalias() = points_.leftCols(size_) * weights_.head(size_);
    return false;
  }

  const GraspRef& F_;
  const double lower_, upper_;
  BoxQpWorkspace& ws_;
  CorralPoints points_;
  SmallMatrix gram_;  // s_i . s_j of the corral points
  SmallVector weights_;
  int size_ = 0;
  Vec6 x_ = Vec6::Zero();
};

// Bounded-variable least squares (Stark & Parker 1995) for b = 0: variables sit at a bound or are
// free; the free columns stay linearly independent (a bound variable is freed only when its
// gradient has the wrong sign, i.e. its column is not in the span of the free columns), so at most
// rank(F) <= 6 are free and each subproblem is a small Cholesky solve.
class ActiveSetSolver {
 public:
  ActiveSetSolver(const GraspRef& F, double lower, double upper, BoxQpWorkspace& ws)
      : F_(F), lower_(lower), upper_(upper), ws_(ws) {}

  int run(int max_iterations, Eigen::VectorXd& lambda) {
    // Most edges of a balanced grasp push with the minimum force: start with all at the lower bound.
    lambda.setConstant(lower_);
    x_ = F_ * lambda;
    ws_.bound_state.setConstant(-1);
    ws_.refused.setConstant(false);
    int iteration = 1;
    for (; iteration <= max_iterations; ++iteration) {
      const int j = most_violating_bound_variable();
      if (j < 0 || free_count_ == 6) break;
      free_variable(j);
      if (!solve_free_subproblem(lambda, j)) ws_.refused[j] = true;
      else ws_.refused.setConstant(false);
    }
    return iteration;
  }

 private:
  int most_violating_bound_variable() const {
    const double tolerance = 0.1 * kBoxQpKktTolerance;
    int best = -1;
    double best_violation = tolerance;
    for (Eigen::Index j = 0; j < F_.cols(); ++j) {
      const int state = ws_.bound_state[j];
      if (state == 0 || ws_.refused[j]) continue;
      const double gradient = F_.col(j).template head<6>().dot(x_);
      const double violation = state < 0 ? -gradient : gradient;
      if (violation > best_violation) best_violation = violation, best = static_cast<int>(j);
    }
    return best;
  }

  void free_variable(int j) {
    ws_.bound_state[j] = 0;
    free_[free_count_++] = j;
  }

  void bind_variable(int slot, Eigen::VectorXd& lambda, int state) {
    const int j = free_[slot];
    const double bound = state < 0 ? lower_ : upper_;
    x_ += (bound - lambda[j]) * F_.col(j).template head<6>();
    lambda[j] = bound;
    ws_.bound_state[j] = state;
    free_[slot] = free_[--free_count_];
  }

  // Moves the free variables towards the least-squares optimum of their subproblem, binding those
  // that hit a bound on the way. False if the newly freed variable `entering` made no progress.
  bool solve_free_subproblem(Eigen::VectorXd& lambda, int entering) {
    for (int pass = 0; pass <= 6; ++pass) {
      // Normal equations of min |A z + b|, A = free columns, b = contribution of the bound ones.
      Vec6 bound_part = x_;
      SmallVector current, target;
      SmallMatrix normal_matrix;
      for (int s = 0; s < free_count_; ++s) {
        current[s] = lambda[free_[s]];
        bound_part -= current[s] * F_.col(free_[s]);
      }
      for (int s = 0; s < free_count_; ++s) {
        for (int t = 0; t <= s; ++t) normal_matrix(s, t) = normal_matrix(t, s) = F_.col(free_[s]).dot(F_.col(free_[t]));
        target[s] = -F_.col(free_[s]).dot(bound_part);
      }
      if (!small_cholesky_solve(normal_matrix, free_count_, target)) {
        unfree_dependent(lambda, entering);
        return false;
      }
      double step = 1.0;
      for (int s = 0; s < free_count_; ++s) {
        const double delta = target[s] - current[s];
        if (target[s] < lower_) step = std::min(step, (current[s] - lower_) / -delta);
        if (target[s] > upper_) step = std::min(step, (upper_ - current[s]) / delta);
      }
      step = std::max(step, 0.0);
      x_ = bound_part;
      for (int s = 0; s < free_count_; ++s) {
        lambda[free_[s]] = current[s] + step * (target[s] - current[s]);
        x_ += lambda[free_[s]] * F_.col(free_[s]).template head<6>();
      }
      if (step == 1.0) return true;
      // Bind every free variable that reached a bound (at least the blocking one).
      bool entering_bound = false;
      for (int s = free_count_ - 1; s >= 0; --s) {
        const int j = free_[s];
        const bool at_lower = lambda[j] <= lower_ + 1e-14 * (upper_ - lower_) && target[s] < lower_;
        const bool at_upper = lambda[j] >= upper_ - 1e-14 * (upper_ - lower_) && target[s] > upper_;
        if (!at_lower && !at_upper) continue;
        entering_bound |= j == entering;
        bind_variable(s, lambda, at_lower ? -1 : +1);
      }
      if (step == 0.0 && entering_bound) return false;
      if (free_count_ == 0) return true;
    }
    return true;
  }

  // The entering column is (numerically) in the span of the free ones: put it back on its bound.
  void unfree_dependent(Eigen::VectorXd& lambda, int entering) {
    for (int s = 0; s < free_count_; ++s) {
      if (free_[s] != entering) continue;
      bind_variable(s, lambda, lambda[entering] >= upper_ ? +1 : -1);
      return;
    }
  }

  const GraspRef& F_;
  const double lower_, upper_;
  BoxQpWorkspace& ws_;
  std::array<int, 6> free_{};
  int free_count_ = 0;
  Vec6 x_ = Vec6::Zero();  // F lambda, updated with every change of lambda
};

}  // namespace

void BoxQpWorkspace::reserve(int variables) {
  if (gradient.size() == variables) return;
  gradient.resize(variables);
  vertex_lambda.resize(variables);
  saved_lambda.resize(variables);
  corral_lambda.resize(variables, kMaxCorral);
  bound_state.resize(variables);
  refused.resize(variables);
}

namespace {

int run_method(BoxQpMethod method, const GraspRef& F, double lower, double upper, BoxQpWorkspace& ws,
               Eigen::VectorXd& lambda) {
  const int max_iterations = 100 + 20 * static_cast<int>(F.cols());
  if (method == BoxQpMethod::ActiveSet) return ActiveSetSolver(F, lower, upper, ws).run(max_iterations, lambda);
  return MinNormPointSolver(F, lower, upper, ws).run(max_iterations, lambda);
}

}  // namespace

BoxQpStats solve_box_qp(const Eigen::Ref<const GraspMatrix>& F, double lower, double upper, BoxQpWorkspace& ws,
                        Eigen::VectorXd& lambda, BoxQpMethod method) {
  if (!std::isfinite(lower) || !std::isfinite(upper) || lower > upper)
    throw Error("box QP: invalid bounds [" + std::to_string(lower) + ", " + std::to_string(upper) + "]");
  const int m = static_cast<int>(F.cols());
  lambda.resize(m);
  ws.reserve(m);
  BoxQpStats stats;
  if (m == 0 || lower == upper) {
    lambda.setConstant(lower);
    stats.converged = true;
    return stats;
  }
  stats.iterations = run_method(method, F, lower, upper, ws, lambda);
  stats.kkt_residual = kkt_residual(F, lower, upper, lambda, ws.gradient);
  stats.converged = stats.kkt_residual <= kBoxQpKktTolerance;
  if (stats.converged) return stats;

  // Safety net: the other method, keeping whichever answer is closer to optimal.
  stats.used_fallback = true;
  ws.saved_lambda = lambda;
  const BoxQpMethod other = method == BoxQpMethod::ActiveSet ? BoxQpMethod::MinNormPoint : BoxQpMethod::ActiveSet;
  stats.iterations += run_method(other, F, lower, upper, ws, lambda);
  const double other_residual = kkt_residual(F, lower, upper, lambda, ws.gradient);
  if (other_residual < stats.kkt_residual)
    stats.kkt_residual = other_residual;
  else
    lambda = ws.saved_lambda;
  stats.converged = stats.kkt_residual <= kBoxQpKktTolerance;
  return stats;
}

// -------------------------------------------------------------------------------------------------
// Energy.

namespace {

constexpr double kMinNormalLength = 1e-12;
constexpr int kMaxConeEdges = 64;
// F F^T counts as singular when its smallest Cholesky pivot falls below this fraction of the
// largest (then g = 0 and its gradient is dropped instead of exploding with (F F^T)^-1).
constexpr double kSingularPivotRatio = 1e-12;

void validate(const ForceClosureQpParams& p, const ContactArrayIn& points, const ContactArrayIn& normals) {
  if (points.rows() != normals.rows())
    throw Error("force closure: " + std::to_string(points.rows()) + " points but " +
                std::to_string(normals.rows()) + " normals");
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

void build_grasp_matrix(const ForceClosureQpParams& params, const ContactArrayIn& points,
                        const ContactArrayIn& normals, const Vec3& centre, GraspMatrix& F) {
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
void contact_gradients(const ForceClosureQpParams& params, const ContactArrayIn& points,
                       const ContactArrayIn& normals, const Vec3& centre, const ForceClosureQpWorkspace& ws,
                       ContactArrayOut dE_dp, ContactArrayOut dE_dn) {
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
