// Baseline force-closure energies: DexGraspNet (§2.4) and TDG (§2.5), with analytic gradients.
#include <graspqp/energy/force_closure_baselines.hpp>
#include <graspqp/error.hpp>

#include <Eigen/Geometry>

#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace graspqp {

namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;
constexpr double kMinNormalLength = 1e-12;

void check_contacts(const char* who, const ContactArrayIn& points, const ContactArrayIn& normals) {
  if (points.rows() != normals.rows())
    throw Error(std::string(who) + ": " + std::to_string(points.rows()) + " points but " +
                std::to_string(normals.rows()) + " normals");
  if (!points.allFinite() || !normals.allFinite())
    throw Error(std::string(who) + ": non-finite contact points or normals");
}

void check_gradients(const char* who, const ContactArrayIn& points, const ContactArrayOut& dE_dp,
                     const ContactArrayOut& dE_dn) {
  if (dE_dp.rows() != points.rows() || dE_dn.rows() != points.rows())
    throw Error(std::string(who) + ": gradient arrays must have one row per contact");
}

// Unit normal, or zero for a vanishing one; `inverse_length` = 1/|n| (0 for a vanishing normal).
Vec3 unit_normal(const Vec3& raw, double& inverse_length) {
  const double length = raw.norm();
  inverse_length = length > kMinNormalLength ? 1.0 / length : 0.0;
  return raw * inverse_length;
}

// Chain rule through n / |n|: removes the radial part and rescales.
Vec3 normalisation_backward(const Vec3& unit, double inverse_length, const Vec3& grad_unit) {
  return (grad_unit - unit.dot(grad_unit) * unit) * inverse_length;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DexGraspNet.

namespace {

Vec6 dexgraspnet_sum(const DexGraspNetParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                     const Vec3& centre) {
  Vec6 sum = Vec6::Zero();
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    double inverse_length;
    const Vec3 n = unit_normal(normals.row(i).transpose(), inverse_length);
    const Vec3 arm = points.row(i).transpose() - centre;
    sum.head<3>() += n;
    sum.tail<3>() += params.torque_weight * n.cross(arm);
  }
  return sum;
}

}  // namespace

double dexgraspnet_energy(const DexGraspNetParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                          const Vec3& centre) {
  check_contacts("DexGraspNet energy", points, normals);
  return dexgraspnet_sum(params, points, normals, centre).squaredNorm();
}

double dexgraspnet_energy(const DexGraspNetParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                          const Vec3& centre, ContactArrayOut dE_dp, ContactArrayOut dE_dn) {
  check_contacts("DexGraspNet energy", points, normals);
  check_gradients("DexGraspNet energy", points, dE_dp, dE_dn);
  const Vec6 sum = dexgraspnet_sum(params, points, normals, centre);
  const Vec3 force = sum.head<3>(), torque = sum.tail<3>();
  const double w = params.torque_weight;
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    double inverse_length;
    const Vec3 n = unit_normal(normals.row(i).transpose(), inverse_length);
    const Vec3 arm = points.row(i).transpose() - centre;
    // <T, n x r> = <n, r x T> = <r, T x n>.
    dE_dp.row(i) = (2 * w * torque.cross(n)).transpose();
    const Vec3 grad_unit = 2 * force + 2 * w * arm.cross(torque);
    dE_dn.row(i) = normalisation_backward(n, inverse_length, grad_unit).transpose();
  }
  return sum.squaredNorm();
}

// ---------------------------------------------------------------------------------------------
// TDG.

namespace {

// Deterministic standard normals (Box-Muller on mt19937_64, whose output is fully specified, unlike
// std::normal_distribution) so that the directions are the same with every standard library.
class GaussianStream {
 public:
  explicit GaussianStream(std::uint64_t seed) : engine_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1)), angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }  // in (0, 1)
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Closest point of the normalised friction cone (axis n, normal component 1, half-angle atan(mu))
// to the unit direction a, with its backward pass w.r.t. n. Frame-free form of the reference's
// three regions: with c = n.a, a_t = a - c n, s = |a_t|, u = a_t / s,
//   c >= cos(beta):      v = n + a_t / c  (= a / c)
//   0 <= c < cos(beta):  v = n + mu u
//   c < 0:               v = k (n + mu u),  k = s / (s - 2 mu c).
class ConeProjection {
 public:
  ConeProjection(const Vec3& n, const Vec3& a, double mu) : n_(n), a_(a), mu_(mu) {
    c_ = n.dot(a);
    tangential_ = a - c_ * n;
    s_ = tangential_.norm();
    const double cos_beta = 1.0 / std::sqrt(1.0 + mu * mu);
    if (c_ >= cos_beta) {
      region_ = Region::Inside;
      value_ = a / c_;
    } else if (s_ < 1e-12) {
      region_ = Region::Degenerate;  // a = -n (or mu = 0 with a = n): the reference's 0/0
      value_ = c_ >= 0 ? n : Vec3::Zero();
    } else {
      u_ = tangential_ / s_;
      const Vec3 rim = n + mu * u_;
      region_ = c_ >= 0 ? Region::Rim : Region::Behind;
      scale_ = c_ >= 0 ? 1.0 : s_ / (s_ - 2.0 * mu * c_);
      value_ = scale_ * rim;
    }
  }

  const Vec3& value() const { return value_; }

  // dE/dn given dE/dv.
  Vec3 backward(const Vec3& g) const {
    switch (region_) {
      case Region::Inside:  // v = a / (n.a)
        return -(g.dot(a_) / (c_ * c_)) * a_;
      case Region::Degenerate:
        return c_ >= 0 ? g : Vec3::Zero();
      case Region::Rim:
      case Region::Behind: {
        Vec3 grad = rim_backward(scale_ * g);
        if (region_ == Region::Behind) {
          // k = s / (s - 2 mu c): dk = 2 mu (s dc - c ds) / (s - 2 mu c)², dc = a.dn,
          // ds = u.da_t = -(u.n) dc - c u.dn.
          const double denom = s_ - 2.0 * mu_ * c_;
          const double gamma = g.dot(n_ + mu_ * u_) * 2.0 * mu_ / (denom * denom);
          grad += gamma * ((s_ + c_ * u_.dot(n_)) * a_ + c_ * c_ * u_);
        }
        return grad;
      }
    }
    return Vec3::Zero();
  }

 private:
  enum class Region { Inside, Rim, Behind, Degenerate };

  // Backward of n + mu u, u = a_t / |a_t|, a_t = a - (n.a) n.
  Vec3 rim_backward(const Vec3& g) const {
    const Vec3 g_tangential = mu_ * (g - u_.dot(g) * u_) / s_;
    // da_t = -(a.dn) n - c dn.
    return g - c_ * g_tangential - g_tangential.dot(n_) * a_;
  }

  Vec3 n_, a_;
  double mu_;
  double c_ = 0, s_ = 0, scale_ = 1.0;
  Vec3 tangential_ = Vec3::Zero(), u_ = Vec3::Zero(), value_ = Vec3::Zero();
  Region region_ = Region::Inside;
};

// rho_i = 1 / max(sum_j max(n_i.n_j, 0), 1e-4); zero-normal contacts get rho = 0 (they take no part).
void compute_density(const TdgParams& params, const ContactArray& unit_normals, Eigen::VectorXd& density) {
  const Eigen::Index n = unit_normals.rows();
  density.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (unit_normals.row(i).isZero(0)) {
      density[i] = 0;
      continue;
    }
    if (!params.density_weighting) {
      density[i] = 1;
      continue;
    }
    double crowd = 0;
    for (Eigen::Index j = 0; j < n; ++j) crowd += std::max(unit_normals.row(i).dot(unit_normals.row(j)), 0.0);
    density[i] = 1.0 / std::max(crowd, 1e-4);
  }
}

}  // namespace

TdgEnergy::TdgEnergy(const TdgParams& params) : params_(params) {
  if (!(params.friction >= 0) || !std::isfinite(params.friction)) throw Error("TDG energy: friction must be >= 0");
  if (!(params.length_scale > 0) || !std::isfinite(params.length_scale))
    throw Error("TDG energy: length_scale must be > 0");
  if (params.directions < 1) throw Error("TDG energy: need at least one direction");
  directions_.resize(params.directions, 3);
  GaussianStream gaussian(params.seed);
  for (int p = 0; p < params.directions; ++p) {
    Vec3 a;
    do a = Vec3(gaussian.next(), gaussian.next(), gaussian.next());
    while (a.norm() < 1e-9);
    directions_.row(p) = a.normalized().transpose();
  }
}

double TdgEnergy::forward(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre,
                          TdgWorkspace& ws) const {
  check_contacts("TDG energy", points, normals);
  const Eigen::Index n = points.rows(), P = directions_.rows();
  ws.unit_normals.resize(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    double inverse_length;
    ws.unit_normals.row(i) = unit_normal(normals.row(i).transpose(), inverse_length).transpose();
  }
  compute_density(params_, ws.unit_normals, ws.density);
  ws.wrench_sums.setZero(P, 6);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (ws.density[i] == 0) continue;
    const Vec3 normal = ws.unit_normals.row(i).transpose();
    const Vec3 arm = (points.row(i).transpose() - centre) / params_.length_scale;
    for (Eigen::Index p = 0; p < P; ++p) {
      const Vec3 v = ConeProjection(normal, directions_.row(p).transpose(), params_.friction).value();
      ws.wrench_sums.row(p).head<3>() += ws.density[i] * v.transpose();
      ws.wrench_sums.row(p).tail<3>() += ws.density[i] * arm.cross(v).transpose();
    }
  }
  double total = 0;
  for (Eigen::Index p = 0; p < P; ++p) {
    const double length = ws.wrench_sums.row(p).norm();
    const double alignment = length > 1e-12 ? ws.wrench_sums.row(p).head<3>().dot(directions_.row(p)) / length : 0.0;
    total += 1.0 - alignment;
  }
  return 100.0 * total / static_cast<double>(P);
}

double TdgEnergy::value(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre,
                        TdgWorkspace& ws) const {
  return forward(points, normals, centre, ws);
}

double TdgEnergy::value(const ContactArrayIn& points, const ContactArrayIn& normals, const Vec3& centre,
                        TdgWorkspace& ws, ContactArrayOut dE_dp, ContactArrayOut dE_dn) const {
  const double energy = forward(points, normals, centre, ws);
  check_gradients("TDG energy", points, dE_dp, dE_dn);
  const Eigen::Index n = points.rows(), P = directions_.rows();
  const double scale = 100.0 / static_cast<double>(P);

  // dE/dW_p of 1 - <W_f, a> / |W|.
  ws.wrench_grads.setZero(P, 6);
  for (Eigen::Index p = 0; p < P; ++p) {
    const Vec6 W = ws.wrench_sums.row(p).transpose();
    const double length = W.norm();
    if (!(length > 1e-12)) continue;
    Vec6 target = Vec6::Zero();
    target.head<3>() = directions_.row(p).transpose();
    ws.wrench_grads.row(p) = (scale * (W.dot(target) / (length * length * length) * W - target / length)).transpose();
  }

  dE_dp.setZero();
  ContactArray& grad_unit = ws.unit_normal_grads;
  Eigen::VectorXd& grad_density = ws.density_grads;
  grad_unit.setZero(n, 3);
  grad_density.setZero(n);
  const double L = params_.length_scale;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double rho = ws.density[i];
    if (rho == 0) continue;
    const Vec3 normal = ws.unit_normals.row(i).transpose();
    const Vec3 arm = (points.row(i).transpose() - centre) / L;
    Vec3 grad_arm = Vec3::Zero(), grad_normal = Vec3::Zero();
    for (Eigen::Index p = 0; p < P; ++p) {
      const ConeProjection cone(normal, directions_.row(p).transpose(), params_.friction);
      const Vec3& v = cone.value();
      const Vec3 g_force = ws.wrench_grads.row(p).head<3>().transpose();
      const Vec3 g_torque = ws.wrench_grads.row(p).tail<3>().transpose();
      // <g_torque, arm x v> = <arm, v x g_torque> = <v, g_torque x arm>.
      grad_arm += v.cross(g_torque);
      grad_normal += cone.backward(rho * (g_force + g_torque.cross(arm)));
      grad_density[i] += g_force.dot(v) + g_torque.dot(arm.cross(v));
    }
    dE_dp.row(i) = (rho * grad_arm / L).transpose();
    grad_unit.row(i) = grad_normal.transpose();
  }

  // Through rho_i = 1 / sum_j max(n_i.n_j, 0) (only where the 1e-4 floor is not active).
  if (params_.density_weighting && !params_.detach_density) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double rho = ws.density[i];
      if (rho == 0 || rho >= 1e4) continue;
      const double grad_crowd = -rho * rho * grad_density[i];
      for (Eigen::Index j = 0; j < n; ++j) {
        if (ws.unit_normals.row(i).dot(ws.unit_normals.row(j)) <= 0) continue;
        grad_unit.row(i) += grad_crowd * ws.unit_normals.row(j);
        grad_unit.row(j) += grad_crowd * ws.unit_normals.row(i);
      }
    }
  }

  for (Eigen::Index i = 0; i < n; ++i) {
    double inverse_length;
    const Vec3 unit = unit_normal(normals.row(i).transpose(), inverse_length);
    dE_dn.row(i) = normalisation_backward(unit, inverse_length, grad_unit.row(i).transpose()).transpose();
  }
  return energy;
}

}  // namespace graspqp
