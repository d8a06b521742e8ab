#pragma once
// GraspQP force-closure energy E_fc (reference §2.2-2.3); the exact QP behind it is energy/box_qp.hpp.
//
// Per contact i (point p_i, object outward normal n_i, object centre c, r_i = p_i - c) a K-edge
// friction pyramid e_ik = (sqrt(1 - mu^2) n_i + mu s_k) / K, s_k = cos(2 pi k/K) t1 + sin(2 pi k/K) t2,
// forms column iK+k of the grasp matrix F = [e_ik ; w_tau (r_i x e_ik)] (6 x nK). Then
//   r* = min ½|F lambda|²  s.t.  lambda_min <= lambda <= lambda_max      (solved exactly, §9 item 12)
//   g  = det(F F^T)^(1/12)                                              (geometric mean of singular values)
//   E  = value_gain (r* + value_eps) exp(-svd_gain g).
// dE/dF = value_gain exp(-svd_gain g) [(F lambda*) lambda*^T - svd_gain (r* + value_eps) (g/6)(F F^T)^-1 F]
// (envelope theorem: the feasible box does not depend on F), chained exactly to points and normals.
//
// Conventions shared by all force-closure terms: contacts are n x 3 row-major arrays (one row per
// contact; a std::vector<Vec3> maps onto one with Eigen::Map<const ContactArray>(v[0].data(), n, 3)).
// Normals are normalised internally, so dE/dn is tangent to the unit sphere; a zero normal gives a
// contact without force (zero columns) and zero gradient. Gradients are written, not accumulated.
#include <graspqp/energy/box_qp.hpp>

#include <Eigen/Core>

namespace graspqp {

using ContactArray = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;
using ContactArrayIn = Eigen::Ref<const ContactArray>;
using ContactArrayOut = Eigen::Ref<ContactArray>;

// Right-handed orthonormal (t1, t2, n) for a unit normal n (Duff et al. 2017, "Building an
// orthonormal basis, revisited"): no singularity; the basis jumps only across the plane n_z = 0.
void unit_tangents(const Vec3& n, Vec3& t1, Vec3& t2);

struct ForceClosureQpParams {
  double friction = 0.2;       // mu: sine of the pyramid half-angle (edges sqrt(1-mu²) n + mu s)
  int cone_edges = 4;          // K, at most 64
  double torque_weight = 5.0;  // w_tau
  double lambda_min = 1.0;     // every edge must push (§9 item 12)
  double lambda_max = 21.0;    // max_lambda_limit + 1
  double svd_gain = 0.1;
  double value_gain = 2.0;
  double value_eps = 1e-2;
  // true: the reference's tangents t1 = n x b, t2 = n x t1 (not unit, §9 item 11); false: unit_tangents().
  // Either way the pyramid's rotation about n jumps where the construction switches branch
  // (n_z = 0, resp. b.n = 0.9): no tangent field on the sphere is continuous, so neither is E in n there.
  bool reference_tangents = false;
  BoxQpMethod qp_method = BoxQpMethod::ActiveSet;
};

struct ForceClosureQpResult {
  double energy = 0;
  double residual = 0;            // r* = ½|F lambda*|²
  double svd_term = 0;            // g (0 when F F^T is numerically singular)
  Eigen::VectorXd lambda;         // lambda*, contact-major (nK)
  Eigen::VectorXd contact_force;  // sum_k lambda*_ik per contact (n)
  double kkt_residual = 0;
  int iterations = 0;
  bool converged = false;
};

struct ForceClosureQpWorkspace {
  GraspMatrix grasp;       // F
  GraspMatrix grad_grasp;  // dE/dF
  BoxQpWorkspace qp;
};

// Builds F (6 x nK). Throws graspqp::Error on mismatched sizes or invalid parameters.
void build_grasp_matrix(const ForceClosureQpParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, GraspMatrix& F);

// Value only.
void force_closure_qp_energy(const ForceClosureQpParams& params, const ContactArrayIn& points,
                             const ContactArrayIn& normals, const Vec3& centre, ForceClosureQpWorkspace& ws,
                             ForceClosureQpResult& result);

// Value and exact gradients dE/dp, dE/dn (n x 3, overwritten).
void force_closure_qp_energy(const ForceClosureQpParams& params, const ContactArrayIn& points,
                             const ContactArrayIn& normals, const Vec3& centre, ForceClosureQpWorkspace& ws,
                             ForceClosureQpResult& result, ContactArrayOut dE_dp, ContactArrayOut dE_dn);

}  // namespace graspqp
