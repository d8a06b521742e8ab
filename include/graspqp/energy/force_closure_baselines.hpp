#pragma once
// Baseline force-closure energies (reference §2.4, §2.5), same contact conventions as
// force_closure_qp.hpp: n x 3 row-major arrays, normals normalised internally (dE/dn tangent to the
// unit sphere, zero normals contribute nothing), gradients written (not accumulated).
#include <graspqp/energy/force_closure_qp.hpp>

#include <cstdint>

namespace graspqp {

// ---------------------------------------------------------------------------------------------
// DexGraspNet: E = | sum_i [n_i ; w_tau (n_i x r_i)] |², r_i = p_i - centre. The reference calls it
// with w_tau = 0 (§9 item 10: then E = |sum n_i|² has no gradient w.r.t. the points); we use the
// original DexGraspNet weight 1.

struct DexGraspNetParams {
  double torque_weight = 1.0;
};

double dexgraspnet_energy(const DexGraspNetParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                          const Vec3& centre);
double dexgraspnet_energy(const DexGraspNetParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                          const Vec3& centre, ContactArrayOut dE_dp, ContactArrayOut dE_dn);

// ---------------------------------------------------------------------------------------------
// TDG (Chen et al., reference §2.5): for P fixed unit force directions a_p (target wrenches
// u_p = [a_p ; 0]) each contact answers with the point of its normalised friction cone closest to a_p,
// v_ip (cone axis n_i, unit normal component, half-angle atan(mu)), i.e. the wrench
// w_ip = [v_ip ; (r_i / L) x v_ip]. With density weights rho_i = 1 / max(sum_j max(n_i.n_j, 0), 1e-4),
// W_p = sum_i rho_i w_ip and E = 100 mean_p (1 - <W_p, u_p> / |W_p|).
//
// The reference builds v_ip in a tangent frame (axis1 from (0,1,0) or (0,0,1) Gram-Schmidt'ed
// against n); v_ip does not depend on that frame (only on n and the tangential part of a_p), so it
// is computed frame-free here: same values, and a gradient without the frame's branch switch.

struct TdgParams {
  double friction = 0.2;          // mu
  double length_scale = 0.2;      // L (m): torque normalisation
  int directions = 1000;          // P
  std::uint64_t seed = 20240611;  // directions: normalised Gaussian triples from mt19937_64 (Box-Muller)
  bool density_weighting = true;
  // true (reference): rho is a constant for the gradient (torch .detach()); false: differentiated too.
  bool detach_density = true;
};

struct TdgWorkspace {
  Eigen::Matrix<double, Eigen::Dynamic, 6, Eigen::RowMajor> wrench_sums;   // W_p
  Eigen::Matrix<double, Eigen::Dynamic, 6, Eigen::RowMajor> wrench_grads;  // dE/dW_p
  Eigen::VectorXd density;                                                 // rho_i
  Eigen::VectorXd density_grads;                                           // dE/drho_i
  ContactArray unit_normals;
  ContactArray unit_normal_grads;  // dE/d(n_i / |n_i|)
};

class TdgEnergy {
 public:
  explicit TdgEnergy(const TdgParams& params = {});

  double value(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre, TdgWorkspace& ws) const;
  double value(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre, TdgWorkspace& ws,
               ContactArrayOut dE_dp, ContactArrayOut dE_dn) const;

  const TdgParams& params() const { return params_; }
  const ContactArray& directions() const { return directions_; }  // a_p, P x 3, unit

 private:
  double forward(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre,
                 TdgWorkspace& ws) const;

  TdgParams params_;
  ContactArray directions_;
};

}  // namespace graspqp
