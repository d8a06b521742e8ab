// The exact box-constrained minimum-norm QP behind E_fc: bounded-variable least squares, with Wolfe's
// minimum-norm point on the zonotope as a fallback (each checks its KKT conditions).
#include <graspqp/energy/box_qp.hpp>
#include <graspqp/error.hpp>

#include <Eigen/Cholesky>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace graspqp {

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
      if (!solve_free_subproblem(lambda, j))
        ws_.refused[j] = true;
      else
        ws_.refused.setConstant(false);
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

}  // namespace graspqp
