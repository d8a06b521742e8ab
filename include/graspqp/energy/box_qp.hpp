#pragma once
// Box-constrained minimum-norm QP:  min ½|F lambda|²  s.t.  lower <= lambda_j <= upper, for a 6 x m
// grasp matrix F (the QP of the force-closure energy, energy/force_closure_qp.hpp), solved exactly.
#include <Eigen/Core>

namespace graspqp {

using Vec3 = Eigen::Vector3d;
using GraspMatrix = Eigen::Matrix<double, 6, Eigen::Dynamic>;

// Both methods are exact (finite, to rounding); each is the other's fallback if its KKT check fails.
enum class BoxQpMethod {
  // Bounded-variable least squares (Stark & Parker 1995) on lambda, from all-at-lower-bound: at most
  // rank(F) <= 6 free variables, so every subproblem is a <= 6 x 6 Cholesky. The faster one (default).
  ActiveSet,
  // Wolfe's minimum-norm-point algorithm on the zonotope {F lambda : lambda in box} in R^6; its
  // vertices come from the sign pattern of F^T x, lambda from the final convex combination.
  MinNormPoint,
};

// Solutions satisfy kkt_residual <= kBoxQpKktTolerance unless `converged` is false.
inline constexpr double kBoxQpKktTolerance = 1e-10;

struct BoxQpStats {
  int iterations = 0;          // major iterations, summed over the methods that ran
  double kkt_residual = 0;     // max_j |lambda_j - clamp(lambda_j - g_j, lower, upper)|, g = F^T F lambda
  bool converged = false;      // kkt_residual <= kBoxQpKktTolerance
  bool used_fallback = false;  // the requested method failed its KKT check and the other one ran
};

// Scratch memory reused between solves (no allocation while F keeps its number of columns).
struct BoxQpWorkspace {
  static constexpr int kMaxCorral = 7;                              // affinely independent points in R^6
  Eigen::VectorXd gradient;                                         // F^T x
  Eigen::VectorXd vertex_lambda;                                    // lambda of the newest zonotope vertex
  Eigen::VectorXd saved_lambda;                                     // first method's answer during a fallback
  Eigen::Matrix<double, Eigen::Dynamic, kMaxCorral> corral_lambda;  // lambda of each corral vertex
  Eigen::VectorXi bound_state;                                      // active set: -1 lower, +1 upper, 0 free
  Eigen::Matrix<bool, Eigen::Dynamic, 1> refused;                   // active set: no progress when freed
  void reserve(int variables);
};

// Solves the QP exactly (to rounding); `lambda` is resized to F.cols(). Throws graspqp::Error if
// lower > upper or the bounds are not finite.
BoxQpStats solve_box_qp(const Eigen::Ref<const GraspMatrix>& F, double lower, double upper, BoxQpWorkspace& ws,
                        Eigen::VectorXd& lambda, BoxQpMethod method = BoxQpMethod::ActiveSet);

}  // namespace graspqp
