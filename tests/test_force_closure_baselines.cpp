// Baseline force-closure energies: DexGraspNet hand-computed values and gradients, TDG against a
// literal transcription of the reference's frame-based algorithm, gradients against central finite
// differences, and closed grasps scoring lower than one-sided ones.
#include <graspqp/energy/force_closure_baselines.hpp>
#include <graspqp/error.hpp>

#include <gtest/gtest.h>
#include <Eigen/Geometry>

#include <cmath>
#include <functional>
#include <numbers>
#include <random>

namespace graspqp {
namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;

Vec3 random_unit(std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0, 1);
  return Vec3(gauss(rng), gauss(rng), gauss(rng)).normalized();
}

void random_contacts(std::mt19937_64& rng, int n, ContactArray& points, ContactArray& normals) {
  std::uniform_real_distribution<double> coord(-0.05, 0.05);
  points.resize(n, 3);
  normals.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    points.row(i) = Vec3(coord(rng), coord(rng), coord(rng)).transpose();
    normals.row(i) = random_unit(rng).transpose();
  }
}

void sphere_contacts(const std::vector<Vec3>& directions, ContactArray& points, ContactArray& normals) {
  const int n = static_cast<int>(directions.size());
  points.resize(n, 3);
  normals.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    normals.row(i) = directions[i].normalized().transpose();
    points.row(i) = 0.05 * normals.row(i);
  }
}

std::vector<Vec3> octahedron() {
  return {Vec3::UnitX(), -Vec3::UnitX(), Vec3::UnitY(), -Vec3::UnitY(), Vec3::UnitZ(), -Vec3::UnitZ()};
}
std::vector<Vec3> tetrahedron() { return {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}}; }
std::vector<Vec3> one_sided(std::mt19937_64& rng, int n) {
  std::vector<Vec3> out;
  while (static_cast<int>(out.size()) < n) {
    const Vec3 d = random_unit(rng);
    if (d.z() > 0.5) out.push_back(d);
  }
  return out;
}

using Energy = std::function<double(const ContactArray& points, const ContactArray& normals)>;

void expect_gradients_match(const Energy& energy, const ContactArray& points, const ContactArray& normals,
                            const ContactArray& dp, const ContactArray& dn, double tolerance) {
  const double step = 1e-6;
  ContactArray fd_p(points.rows(), 3), fd_n(points.rows(), 3);
  for (int i = 0; i < points.rows(); ++i)
    for (int a = 0; a < 3; ++a) {
      ContactArray plus = points, minus = points;
      plus(i, a) += step, minus(i, a) -= step;
      fd_p(i, a) = (energy(plus, normals) - energy(minus, normals)) / (2 * step);
      plus = normals, minus = normals;
      plus(i, a) += step, minus(i, a) -= step;
      fd_n(i, a) = (energy(points, plus) - energy(points, minus)) / (2 * step);
    }
  EXPECT_LT((fd_p - dp).norm() / std::max(fd_p.norm(), 1e-8), tolerance) << "dE/dp\n" << dp << "\nfd\n" << fd_p;
  EXPECT_LT((fd_n - dn).norm() / std::max(fd_n.norm(), 1e-8), tolerance) << "dE/dn\n" << dn << "\nfd\n" << fd_n;
}

// ---------------------------------------------------------------------------------------------
// DexGraspNet.

TEST(ForceClosureDexGraspNet, HandComputedValue) {
  ContactArray points(2, 3), normals(2, 3);
  points << 0.0, 0.1, 0.0, 0.0, 0.0, 0.2;
  normals << 2.0, 0.0, 0.0, 0.0, 1.0, 0.0;  // the first is not unit: normalised to (1, 0, 0)
  // Forces (1, 1, 0); torques n x r: (1,0,0) x (0,0.1,0) = (0,0,0.1), (0,1,0) x (0,0,0.2) = (0.2,0,0).
  EXPECT_NEAR(dexgraspnet_energy({}, points, normals, Vec3::Zero()), 1 + 1 + 0.04 + 0.01, 1e-14);
  // Torque weight 2: torques scale by 2, their square by 4.
  EXPECT_NEAR(dexgraspnet_energy({2.0}, points, normals, Vec3::Zero()), 2 + 4 * 0.05, 1e-14);
  // The reference's effective weight 0: |sum n|², no gradient w.r.t. the points.
  ContactArray dp(2, 3), dn(2, 3);
  EXPECT_NEAR(dexgraspnet_energy({0.0}, points, normals, Vec3::Zero(), dp, dn), 2.0, 1e-14);
  EXPECT_EQ(dp.norm(), 0.0);
}

TEST(ForceClosureDexGraspNet, GradientsMatchFiniteDifferences) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 10; ++trial) {
    ContactArray points, normals;
    random_contacts(rng, 2 + trial % 6, points, normals);
    if (trial % 2) normals *= 1.7;  // non-unit normals too
    const Vec3 centre(0.01, -0.02, 0.005);
    ContactArray dp(points.rows(), 3), dn(points.rows(), 3);
    const double value = dexgraspnet_energy({}, points, normals, centre, dp, dn);
    EXPECT_NEAR(value, dexgraspnet_energy({}, points, normals, centre), 1e-15);
    const Energy energy = [&](const ContactArray& p, const ContactArray& n) {
      return dexgraspnet_energy({}, p, n, centre);
    };
    expect_gradients_match(energy, points, normals, dp, dn, 1e-6);
  }
}

TEST(ForceClosureDexGraspNet, ClosedGraspsScoreLowerThanOneSided) {
  std::mt19937_64 rng(5);
  ContactArray points, normals;
  sphere_contacts(octahedron(), points, normals);
  EXPECT_NEAR(dexgraspnet_energy({}, points, normals, Vec3::Zero()), 0.0, 1e-28);
  sphere_contacts(tetrahedron(), points, normals);
  EXPECT_NEAR(dexgraspnet_energy({}, points, normals, Vec3::Zero()), 0.0, 1e-28);
  for (int trial = 0; trial < 10; ++trial) {
    sphere_contacts(one_sided(rng, 4 + trial % 5), points, normals);
    EXPECT_GT(dexgraspnet_energy({}, points, normals, Vec3::Zero()), 1.0);  // |sum n| > n/2 >= 2
  }
}

TEST(ForceClosureDexGraspNet, RejectsMismatchedSizes) {
  ContactArray points = ContactArray::Zero(3, 3), normals = ContactArray::Zero(2, 3);
  EXPECT_THROW(dexgraspnet_energy({}, points, normals, Vec3::Zero()), Error);
}

// ---------------------------------------------------------------------------------------------
// TDG.

// §2.5 transcribed literally: tangent frame from (0,1,0) (or (0,0,1)), f = normalize(G^T u), the
// three angular regions with acos / atan, density weights, E = 100 mean(1 - normalize(W).u).
double reference_tdg(const TdgParams& params, const ContactArray& directions, const ContactArray& points,
                     const ContactArray& normals, const Vec3& centre) {
  const int n = static_cast<int>(points.rows()), P = static_cast<int>(directions.rows());
  const double mu = params.friction, beta = std::atan(mu);
  std::vector<Eigen::Matrix<double, 6, 3>> G(n);
  for (int i = 0; i < n; ++i) {
    const Vec3 axis0 = normals.row(i).transpose().normalized();
    Vec3 helper = Vec3::UnitY();
    if (std::abs(axis0.dot(helper)) > 0.99) helper = Vec3::UnitZ();
    const Vec3 axis1 = (helper - helper.dot(axis0) * axis0).normalized();
    const Vec3 axis2 = axis0.cross(axis1);
    const Vec3 arm = (points.row(i).transpose() - centre) / params.length_scale;
    const Vec3 axes[3] = {axis0, axis1, axis2};
    for (int k = 0; k < 3; ++k) G[i].col(k) << axes[k], arm.cross(axes[k]);
  }
  std::vector<double> rho(n, 1.0);
  for (int i = 0; i < n && params.density_weighting; ++i) {
    double crowd = 0;
    for (int j = 0; j < n; ++j) crowd += std::max(normals.row(i).normalized().dot(normals.row(j).normalized()), 0.0);
    rho[i] = 1 / std::max(crowd, 1e-4);
  }
  double total = 0;
  for (int p = 0; p < P; ++p) {
    Vec6 u = Vec6::Zero();
    u.head<3>() = directions.row(p).transpose();
    Vec6 W = Vec6::Zero();
    for (int i = 0; i < n; ++i) {
      const Vec3 f = (G[i].transpose() * u).normalized();
      const double c = f[0], alpha = std::acos(std::clamp(c, -1.0, 1.0));
      const Vec3 f_perp(0, f[1], f[2]);
      Vec3 y;
      if (alpha <= beta)
        y = Vec3::UnitX() + f_perp / std::max(c, std::cos(beta) / 2);
      else if (alpha <= std::numbers::pi / 2)
        y = Vec3::UnitX() + mu * f_perp.normalized();
      else
        y = f_perp.norm() / (f_perp.norm() - 2 * mu * std::min(c, 0.0)) * (Vec3::UnitX() + mu * f_perp.normalized());
      W += rho[i] * G[i] * y;
    }
    total += 1 - W.normalized().dot(u);
  }
  return 100 * total / P;
}

TEST(ForceClosureTdg, DirectionsAreDeterministicUnitVectors) {
  const TdgEnergy a, b;
  ASSERT_EQ(a.directions().rows(), 1000);
  EXPECT_EQ(a.directions(), b.directions());
  EXPECT_LT((a.directions().rowwise().norm().array() - 1).abs().maxCoeff(), 1e-15);
  EXPECT_LT(a.directions().colwise().mean().norm(), 0.1);  // roughly uniform on the sphere
  TdgParams other;
  other.seed = 7;
  EXPECT_NE(TdgEnergy(other).directions(), a.directions());
}

TEST(ForceClosureTdg, MatchesTheReferenceAlgorithm) {
  std::mt19937_64 rng(9);
  for (bool density : {true, false})
    for (int trial = 0; trial < 8; ++trial) {
      TdgParams params;
      params.density_weighting = density;
      params.directions = 300;
      const TdgEnergy tdg(params);
      ContactArray points, normals;
      random_contacts(rng, 1 + trial, points, normals);
      if (trial == 3) normals.row(0) << 0.0, 1.0, 0.0;  // the reference's helper-axis switch
      const Vec3 centre(0.01, 0.0, -0.01);
      TdgWorkspace ws;
      const double expected = reference_tdg(params, tdg.directions(), points, normals, centre);
      EXPECT_NEAR(tdg.value(points, normals, centre, ws), expected, 1e-10 * expected) << "trial " << trial;
    }
}

// Whether every (contact, direction) pair is away from the cone-region boundaries (c = cos beta,
// c = 0) and every pair of normals away from n_i.n_j = 0 (density kink), so that central
// differences with step 1e-6 see a smooth function.
bool smooth_configuration(const TdgEnergy& tdg, const ContactArray& normals) {
  const double cos_beta = 1 / std::sqrt(1 + tdg.params().friction * tdg.params().friction);
  for (int i = 0; i < normals.rows(); ++i) {
    const Vec3 n = normals.row(i).transpose().normalized();
    for (int p = 0; p < tdg.directions().rows(); ++p) {
      const double c = n.dot(tdg.directions().row(p));
      if (std::abs(c - cos_beta) < 1e-5 || std::abs(c) < 1e-5) return false;
    }
    for (int j = 0; j < i; ++j)
      if (std::abs(n.dot(normals.row(j).normalized())) < 1e-3) return false;
  }
  return true;
}

TEST(ForceClosureTdg, FullGradientMatchesFiniteDifferences) {
  std::mt19937_64 rng(13);
  TdgParams params;
  params.detach_density = false;
  const TdgEnergy tdg(params);
  int checked = 0;
  for (int trial = 0; trial < 30 && checked < 8; ++trial) {
    ContactArray points, normals;
    random_contacts(rng, 2 + trial % 7, points, normals);
    if (!smooth_configuration(tdg, normals)) continue;
    ++checked;
    const Vec3 centre(0.0, 0.01, 0.0);
    TdgWorkspace ws, fd_ws;
    ContactArray dp(points.rows(), 3), dn(points.rows(), 3);
    const double value = tdg.value(points, normals, centre, ws, dp, dn);
    EXPECT_NEAR(value, tdg.value(points, normals, centre, fd_ws), 1e-12 * value);
    const Energy energy = [&](const ContactArray& p, const ContactArray& n) { return tdg.value(p, n, centre, fd_ws); };
    SCOPED_TRACE(::testing::Message() << "trial " << trial);
    expect_gradients_match(energy, points, normals, dp, dn, 1e-4);
  }
  EXPECT_GE(checked, 6);
}

// With the reference's detached density the gradient is exact wherever rho is locally constant:
// normals pairwise more than 90 degrees apart (at most 4 contacts), so rho = 1 for each.
TEST(ForceClosureTdg, DetachedGradientMatchesFiniteDifferencesWhereDensityIsConstant) {
  std::mt19937_64 rng(17);
  const TdgEnergy tdg;  // detach_density = true
  int checked = 0;
  for (int trial = 0; trial < 20 && checked < 5; ++trial) {
    ContactArray points, normals;
    sphere_contacts(tetrahedron(), points, normals);
    for (int i = 0; i < 4; ++i) {
      normals.row(i) = (normals.row(i) + 0.2 * random_unit(rng).transpose()).normalized();
      points.row(i) += 0.01 * random_unit(rng).transpose();
    }
    bool separated = true;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < i; ++j) separated &= normals.row(i).dot(normals.row(j)) < -1e-3;
    if (!separated || !smooth_configuration(tdg, normals)) continue;
    ++checked;
    TdgWorkspace ws, fd_ws;
    ContactArray dp(4, 3), dn(4, 3);
    tdg.value(points, normals, Vec3::Zero(), ws, dp, dn);
    EXPECT_LT((ws.density.array() - 1).abs().maxCoeff(), 1e-15);
    const Energy energy = [&](const ContactArray& p, const ContactArray& n) {
      return tdg.value(p, n, Vec3::Zero(), fd_ws);
    };
    expect_gradients_match(energy, points, normals, dp, dn, 1e-4);
  }
  EXPECT_GE(checked, 3);
}

TEST(ForceClosureTdg, DetachingTheDensityOnlyChangesTheNormalGradient) {
  std::mt19937_64 rng(19);
  ContactArray points, normals;
  random_contacts(rng, 6, points, normals);
  TdgParams full_params;
  full_params.detach_density = false;
  const TdgEnergy detached, full(full_params);
  TdgWorkspace ws;
  ContactArray dp_detached(6, 3), dn_detached(6, 3), dp_full(6, 3), dn_full(6, 3);
  const double a = detached.value(points, normals, Vec3::Zero(), ws, dp_detached, dn_detached);
  const double b = full.value(points, normals, Vec3::Zero(), ws, dp_full, dn_full);
  EXPECT_EQ(a, b);
  EXPECT_LT((dp_detached - dp_full).norm(), 1e-15);
  EXPECT_GT((dn_detached - dn_full).norm(), 1e-6 * dn_full.norm());
}

TEST(ForceClosureTdg, ClosedGraspsScoreLowerThanOneSided) {
  std::mt19937_64 rng(23);
  const TdgEnergy tdg;
  TdgWorkspace ws;
  ContactArray points, normals;
  sphere_contacts(octahedron(), points, normals);
  const double octahedron_energy = tdg.value(points, normals, Vec3::Zero(), ws);
  sphere_contacts(tetrahedron(), points, normals);
  const double tetrahedron_energy = tdg.value(points, normals, Vec3::Zero(), ws);
  const double closed = std::max(octahedron_energy, tetrahedron_energy);
  for (int trial = 0; trial < 10; ++trial) {
    sphere_contacts(one_sided(rng, 4 + trial % 5), points, normals);
    EXPECT_GT(tdg.value(points, normals, Vec3::Zero(), ws), closed + 10) << "trial " << trial;
  }
}

TEST(ForceClosureTdg, DegenerateInputsStayFinite) {
  const TdgEnergy tdg;
  TdgWorkspace ws;
  ContactArray points = ContactArray::Zero(3, 3), normals = ContactArray::Zero(3, 3);
  ContactArray dp(3, 3), dn(3, 3);
  EXPECT_NEAR(tdg.value(points, normals, Vec3::Zero(), ws, dp, dn), 100.0, 1e-12);  // no contact answers
  EXPECT_TRUE(dp.allFinite() && dn.allFinite());
  normals.row(0) << 0, 0, 1;
  normals.row(1) << 0, 0, 1;  // duplicate contact
  EXPECT_TRUE(std::isfinite(tdg.value(points, normals, Vec3::Zero(), ws, dp, dn)));
  EXPECT_TRUE(dp.allFinite() && dn.allFinite());
  EXPECT_THROW(TdgEnergy(TdgParams{.length_scale = 0}), Error);
}

}  // namespace
}  // namespace graspqp
