// GraspQP force-closure energy: exactness of the box QP (independent KKT check and an independent
// slow solver), degenerate inputs, gradients against central finite differences, and agreement of
// "r* = 0" with Ferrari-Canny force closure.
#include <graspqp/energy/force_closure_qp.hpp>
#include <graspqp/error.hpp>
#include <graspqp/metrics/ferrari_canny.hpp>

#include <gtest/gtest.h>
#include <Eigen/Geometry>
#include <Eigen/SVD>

#include <cmath>
#include <functional>
#include <random>

namespace graspqp {
namespace {

using Vec6 = Eigen::Matrix<double, 6, 1>;

struct Contacts {
  ContactArray points, normals;
  Vec3 centre = Vec3::Zero();
};

Vec3 random_unit(std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0, 1);
  Vec3 v;
  do v = Vec3(gauss(rng), gauss(rng), gauss(rng));
  while (v.norm() < 1e-6);
  return v.normalized();
}

// Points uniform in a 10 cm box around the origin, random unit normals.
Contacts random_contacts(std::mt19937_64& rng, int n) {
  std::uniform_real_distribution<double> coord(-0.05, 0.05);
  Contacts c;
  c.points.resize(n, 3);
  c.normals.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    c.points.row(i) = Vec3(coord(rng), coord(rng), coord(rng)).transpose();
    c.normals.row(i) = random_unit(rng).transpose();
  }
  return c;
}

// Points on a sphere with outward (radial) normals, the configuration of a grasp around a ball.
Contacts sphere_contacts(const std::vector<Vec3>& directions, double radius) {
  Contacts c;
  const int n = static_cast<int>(directions.size());
  c.points.resize(n, 3);
  c.normals.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    c.normals.row(i) = directions[i].normalized().transpose();
    c.points.row(i) = radius * c.normals.row(i);
  }
  return c;
}

// Independent KKT check of min ½|F l|² s.t. lower <= l <= upper, with gradient g = F^T F l:
// feasibility, and g_j > 0 only at the lower bound, g_j < 0 only at the upper bound (the bound
// multipliers have the right sign and complementarity holds). Returns the worst violation.
double independent_kkt_violation(const GraspMatrix& F, double lower, double upper, const Eigen::VectorXd& lambda) {
  const Eigen::VectorXd g = F.transpose() * (F * lambda);
  double worst = 0;
  for (Eigen::Index j = 0; j < lambda.size(); ++j) {
    worst = std::max({worst, lower - lambda[j], lambda[j] - upper});
    // A gradient component is excused only by being at the bound it pushes against.
    if (g[j] > 0) worst = std::max(worst, std::min(g[j], lambda[j] - lower));
    if (g[j] < 0) worst = std::max(worst, std::min(-g[j], upper - lambda[j]));
  }
  return worst;
}

// Slow reference solver: cyclic coordinate descent with exact clipped line minimisation per
// coordinate, until the iterate stops moving (converges linearly on box-constrained least squares).
Eigen::VectorXd coordinate_descent(const GraspMatrix& F, double lower, double upper) {
  const Eigen::Index m = F.cols();
  Eigen::VectorXd lambda = Eigen::VectorXd::Constant(m, 0.5 * (lower + upper));
  const Eigen::VectorXd column_sq = F.colwise().squaredNorm();
  Vec6 x = F * lambda;
  for (int sweep = 0; sweep < 2000000; ++sweep) {
    double largest_move = 0;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (column_sq[j] < 1e-300) continue;
      const double next = std::clamp(lambda[j] - F.col(j).dot(x) / column_sq[j], lower, upper);
      const double move = next - lambda[j];
      if (move == 0) continue;
      x += move * F.col(j);
      lambda[j] = next;
      largest_move = std::max(largest_move, std::abs(move));
    }
    if (sweep % 64 == 0) x = F * lambda;  // no drift from the incremental updates
    if (largest_move < 1e-15) break;
  }
  return lambda;
}

GraspMatrix grasp_matrix(const ForceClosureQpParams& params, const Contacts& c) {
  GraspMatrix F;
  build_grasp_matrix(params, c.points, c.normals, c.centre, F);
  return F;
}

// ---------------------------------------------------------------------------------------------
// Tangents and the grasp matrix.

TEST(ForceClosureTangents, OrthonormalRightHandedEverywhere) {
  std::mt19937_64 rng(1);
  std::vector<Vec3> normals{
      Vec3::UnitX(), Vec3::UnitY(), Vec3::UnitZ(), -Vec3::UnitZ(), Vec3(1, 1, 0).normalized(), Vec3(0, 0, -1 + 1e-17)};
  for (int i = 0; i < 1000; ++i) normals.push_back(random_unit(rng));
  for (const Vec3& n : normals) {
    Vec3 t1, t2;
    unit_tangents(n, t1, t2);
    EXPECT_NEAR(t1.norm(), 1, 1e-12);
    EXPECT_NEAR(t2.norm(), 1, 1e-12);
    EXPECT_NEAR(t1.dot(t2), 0, 1e-12);
    EXPECT_NEAR(t1.dot(n), 0, 1e-12);
    EXPECT_LT((t1.cross(t2) - n).norm(), 1e-12);
  }
}

TEST(ForceClosureGraspMatrix, ReferenceTangentsReproduceTheReference) {
  ForceClosureQpParams params;
  params.reference_tangents = true;
  const double k = 1 / std::sqrt(3.0), mu = params.friction;
  // Second normal triggers the reference's switch of helper direction (b.n > 0.9).
  for (const Vec3& n : {Vec3(0.3, -0.5, 0.81).normalized(), Vec3(1, 1, 1).normalized()}) {
    Contacts c;
    c.points = Vec3(0.01, 0.02, -0.03).transpose();
    c.normals = n.transpose();
    c.centre = Vec3(0.001, 0, 0.002);
    const GraspMatrix F = grasp_matrix(params, c);
    Vec3 b(k, k, k);
    if (b.dot(n) / (n.norm() + 1e-6) > 0.9) b = Vec3(k, k - 2, k);
    const Vec3 t1 = n.cross(b), t2 = n.cross(t1);
    const Vec3 r = c.points.row(0).transpose() - c.centre;
    const Vec3 s[4] = {t1, t2, -t1, -t2};
    for (int e = 0; e < 4; ++e) {
      const Vec3 edge = (mu * s[e] + std::sqrt(1 - mu * mu) * n) / 4;
      EXPECT_LT((F.col(e).head<3>() - edge).norm(), 1e-15);
      EXPECT_LT((F.col(e).tail<3>() - params.torque_weight * r.cross(edge)).norm(), 1e-15);
    }
  }
}

TEST(ForceClosureGraspMatrix, UnitTangentEdgesSitAtAsinMuFromTheNormal) {
  ForceClosureQpParams params;
  params.cone_edges = 8;
  std::mt19937_64 rng(2);
  const Contacts c = random_contacts(rng, 5);
  const GraspMatrix F = grasp_matrix(params, c);
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 8; ++k) {
      const Vec3 e = F.col(i * 8 + k).head<3>() * 8;
      EXPECT_NEAR(e.norm(), 1, 1e-12);
      EXPECT_NEAR(e.dot(c.normals.row(i)), std::sqrt(1 - 0.04), 1e-12);  // sin(angle to n) = mu
    }
}

TEST(ForceClosureGraspMatrix, RejectsBadInput) {
  ForceClosureQpParams params;
  std::mt19937_64 rng(3);
  Contacts c = random_contacts(rng, 3);
  GraspMatrix F;
  EXPECT_THROW(build_grasp_matrix(params, c.points, c.normals.topRows(2), c.centre, F), Error);
  params.friction = 1.0;
  EXPECT_THROW(build_grasp_matrix(params, c.points, c.normals, c.centre, F), Error);
  params = {};
  params.lambda_min = 5, params.lambda_max = 4;
  EXPECT_THROW(build_grasp_matrix(params, c.points, c.normals, c.centre, F), Error);
  params = {};
  c.points(1, 1) = std::nan("");
  EXPECT_THROW(build_grasp_matrix(params, c.points, c.normals, c.centre, F), Error);
}

// ---------------------------------------------------------------------------------------------
// The box QP.

class ForceClosureBoxQpRandom : public ::testing::TestWithParam<BoxQpMethod> {};

TEST_P(ForceClosureBoxQpRandom, ExactAndAgreesWithSlowSolver) {
  std::mt19937_64 rng(42);
  BoxQpWorkspace ws;
  Eigen::VectorXd lambda;
  int closure_cases = 0, open_cases = 0;
  for (int contacts = 1; contacts <= 16; ++contacts)
    for (int edges : {4, 8})
      for (int trial = 0; trial < 4; ++trial) {
        ForceClosureQpParams params;
        params.cone_edges = edges;
        params.reference_tangents = trial % 2 == 1;
        const Contacts c = random_contacts(rng, contacts);
        const GraspMatrix F = grasp_matrix(params, c);
        const BoxQpStats stats = solve_box_qp(F, 1.0, 21.0, ws, lambda, GetParam());
        SCOPED_TRACE(::testing::Message() << "contacts " << contacts << " K " << edges << " trial " << trial);
        ASSERT_EQ(lambda.size(), contacts * edges);
        EXPECT_TRUE(stats.converged);
        EXPECT_FALSE(stats.used_fallback);  // each method is exact on its own
        EXPECT_LT(stats.kkt_residual, 1e-9);
        EXPECT_LT(independent_kkt_violation(F, 1.0, 21.0, lambda), 1e-9);

        const Eigen::VectorXd slow = coordinate_descent(F, 1.0, 21.0);
        const double r_exact = 0.5 * (F * lambda).squaredNorm(), r_slow = 0.5 * (F * slow).squaredNorm();
        EXPECT_GE(r_slow, r_exact - 1e-12);  // nothing feasible beats the exact optimum
        EXPECT_NEAR(r_slow, r_exact, 1e-9 * (1 + r_exact));
        // F lambda* is the unique min-norm point: |x - x*|² <= 2 (r(x) - r*) for every feasible x.
        EXPECT_LE((F * slow - F * lambda).norm(), std::sqrt(2 * std::max(r_slow - r_exact, 0.0)) + 1e-9);
        (r_exact < 1e-12 ? closure_cases : open_cases)++;
      }
  // Both regimes (origin inside / outside the zonotope) must be exercised.
  EXPECT_GT(closure_cases, 10);
  EXPECT_GT(open_cases, 10);
}

TEST_P(ForceClosureBoxQpRandom, OtherBoundsAndNoFallback) {
  std::mt19937_64 rng(7);
  BoxQpWorkspace ws;
  Eigen::VectorXd lambda;
  int fallbacks = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Contacts c = random_contacts(rng, 1 + trial % 16);
    const GraspMatrix F = grasp_matrix({}, c);
    const double lower = trial % 3 == 0 ? -2.0 : 0.5, upper = trial % 3 == 0 ? 3.0 : 50.0;
    const BoxQpStats stats = solve_box_qp(F, lower, upper, ws, lambda, GetParam());
    EXPECT_LT(independent_kkt_violation(F, lower, upper, lambda), 1e-9) << "trial " << trial;
    fallbacks += stats.used_fallback;
  }
  EXPECT_LE(fallbacks, 3);  // the fallback is a safety net, not the normal path
}

INSTANTIATE_TEST_SUITE_P(Methods, ForceClosureBoxQpRandom,
                         ::testing::Values(BoxQpMethod::ActiveSet, BoxQpMethod::MinNormPoint), [](const auto& info) {
                           return info.param == BoxQpMethod::ActiveSet ? "ActiveSet" : "MinNormPoint";
                         });

TEST(ForceClosureBoxQp, KnownSolutions) {
  BoxQpWorkspace ws;
  Eigen::VectorXd lambda;
  // Two opposite unit forces: balanced by equal lambdas, r* = 0.
  GraspMatrix F = GraspMatrix::Zero(6, 2);
  F(0, 0) = 1, F(0, 1) = -1;
  solve_box_qp(F, 1, 21, ws, lambda);
  EXPECT_NEAR(0.5 * (F * lambda).squaredNorm(), 0, 1e-20);
  // Two forces along +x: both at the lower bound, r* = ½ (1 + 2)².
  F(0, 1) = 2;
  solve_box_qp(F, 1, 21, ws, lambda);
  EXPECT_NEAR(lambda[0], 1, 1e-15);
  EXPECT_NEAR(lambda[1], 1, 1e-15);
  // +x against 3 * (-x): lambda_0 = 21 at the upper bound cannot balance 3 lambda_1 >= 3 ... it can:
  // 21 >= 3, so r* = 0 with lambda_0 = 3 lambda_1.
  F(0, 1) = -3;
  solve_box_qp(F, 1, 21, ws, lambda);
  EXPECT_NEAR(lambda[0] - 3 * lambda[1], 0, 1e-12);
  // +x against 30 * (-x): lambda_1 at 1, lambda_0 at 21, r* = ½ 9².
  F(0, 1) = -30;
  solve_box_qp(F, 1, 21, ws, lambda);
  EXPECT_NEAR(lambda[0], 21, 1e-12);
  EXPECT_NEAR(lambda[1], 1, 1e-12);
  EXPECT_NEAR(0.5 * (F * lambda).squaredNorm(), 40.5, 1e-10);
}

TEST(ForceClosureBoxQp, DegenerateInputsStayExactAndFinite) {
  std::mt19937_64 rng(11);
  std::vector<std::pair<std::string, Contacts>> cases;
  {
    Contacts c = random_contacts(rng, 1);
    cases.emplace_back("single contact", c);
  }
  {
    Contacts c = random_contacts(rng, 1);
    Contacts many;
    many.points = c.points.replicate(6, 1);
    many.normals = c.normals.replicate(6, 1);
    cases.emplace_back("identical contacts", many);
  }
  {
    Contacts c = random_contacts(rng, 8);
    for (int i = 0; i < 8; ++i) {
      c.points.row(i) = Vec3(0.01 * i, 0.0, 0.0).transpose();  // collinear through the centre
      c.normals.row(i) = Vec3(i % 2 ? 1.0 : -1.0, 0.0, 0.0).transpose();
    }
    cases.emplace_back("collinear antipodal", c);
  }
  {
    Contacts c = random_contacts(rng, 5);
    Contacts dup;
    dup.points.resize(10, 3);
    dup.normals.resize(10, 3);
    dup.points << c.points, c.points;
    dup.normals << c.normals, c.normals;
    cases.emplace_back("duplicated contacts", dup);
  }
  {
    Contacts c = random_contacts(rng, 4);
    c.points.setZero();  // all at the centre: no torques, rank 3
    cases.emplace_back("no torque arms", c);
  }
  {
    Contacts c = random_contacts(rng, 4);
    c.normals.setZero();
    cases.emplace_back("zero normals", c);
  }
  {
    Contacts c = random_contacts(rng, 4);
    c.normals.row(2).setZero();
    cases.emplace_back("one zero normal", c);
  }
  {
    Contacts c = random_contacts(rng, 12);
    c.points *= 1e-9;  // nearly coincident
    cases.emplace_back("tiny arms", c);
  }
  for (bool reference : {false, true})
    for (BoxQpMethod method : {BoxQpMethod::ActiveSet, BoxQpMethod::MinNormPoint})
      for (const auto& [name, c] : cases) {
        SCOPED_TRACE(name + (reference ? " (reference tangents)" : ""));
        ForceClosureQpParams params;
        params.reference_tangents = reference;
        params.qp_method = method;
        ForceClosureQpWorkspace ws;
        ForceClosureQpResult result;
        ContactArray dp(c.points.rows(), 3), dn(c.points.rows(), 3);
        force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result, dp, dn);
        EXPECT_TRUE(std::isfinite(result.energy));
        EXPECT_TRUE(result.lambda.allFinite());
        EXPECT_TRUE(dp.allFinite());
        EXPECT_TRUE(dn.allFinite());
        EXPECT_TRUE(result.converged);
        EXPECT_LT(independent_kkt_violation(ws.grasp, 1, 21, result.lambda), 1e-9);
        EXPECT_LT(result.iterations, 2000);
      }
}

TEST(ForceClosureBoxQp, EmptyAndPointBoxes) {
  BoxQpWorkspace ws;
  Eigen::VectorXd lambda;
  EXPECT_TRUE(solve_box_qp(GraspMatrix(6, 0), 1, 21, ws, lambda).converged);
  EXPECT_EQ(lambda.size(), 0);
  GraspMatrix F = GraspMatrix::Random(6, 5);
  solve_box_qp(F, 2, 2, ws, lambda);
  EXPECT_TRUE((lambda.array() == 2).all());
  EXPECT_THROW(solve_box_qp(F, 3, 2, ws, lambda), Error);
}

// ---------------------------------------------------------------------------------------------
// The energy.

TEST(ForceClosureQp, EnergyComposition) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const Contacts c = random_contacts(rng, 3 + trial % 10);
    ForceClosureQpParams params;
    ForceClosureQpWorkspace ws;
    ForceClosureQpResult result;
    force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result);
    const GraspMatrix F = grasp_matrix(params, c);
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(F);
    const double g = std::exp(svd.singularValues().array().log().sum() / 6);
    EXPECT_NEAR(result.svd_term, g, 1e-12 * g);
    EXPECT_NEAR(result.residual, 0.5 * (F * result.lambda).squaredNorm(), 1e-14);
    EXPECT_NEAR(result.energy, 2.0 * (result.residual + 1e-2) * std::exp(-0.1 * g), 1e-12 * result.energy);
    for (int i = 0; i < c.points.rows(); ++i)
      EXPECT_NEAR(result.contact_force[i], result.lambda.segment(4 * i, 4).sum(), 1e-12);
  }
}

TEST(ForceClosureQp, SvdTermVanishesForRankDeficientGrasps) {
  std::mt19937_64 rng(37);
  Contacts c = random_contacts(rng, 5);
  c.points.setZero();  // no torque arms: F has rank 3
  ForceClosureQpWorkspace ws;
  ForceClosureQpResult result;
  ContactArray dp(5, 3), dn(5, 3);
  force_closure_qp_energy({}, c.points, c.normals, c.centre, ws, result, dp, dn);
  EXPECT_EQ(result.svd_term, 0.0);
  EXPECT_TRUE(dp.allFinite() && dn.allFinite());
  // A single contact spans at most a 3-D wrench space as well.
  force_closure_qp_energy({}, c.points.topRows(1), c.normals.topRows(1), Vec3(0.1, 0, 0), ws, result);
  EXPECT_EQ(result.svd_term, 0.0);
}

using Energy = std::function<double(const ContactArray& points, const ContactArray& normals)>;

// Max-norm relative error of the analytic gradients against central differences.
void expect_gradients_match(const Energy& energy, const ContactArray& points, const ContactArray& normals,
                            const ContactArray& dp, const ContactArray& dn, double step, double tolerance) {
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
  const double scale_p = std::max(fd_p.norm(), 1e-8), scale_n = std::max(fd_n.norm(), 1e-8);
  EXPECT_LT((fd_p - dp).norm() / scale_p, tolerance) << "analytic dE/dp\n" << dp << "\nfd\n" << fd_p;
  EXPECT_LT((fd_n - dn).norm() / scale_n, tolerance) << "analytic dE/dn\n" << dn << "\nfd\n" << fd_n;
}

// True if the active set is locally stable: no bound variable has a near-zero multiplier and no
// free variable is near a bound, so r* is smooth within the finite-difference step.
bool away_from_kinks(const ForceClosureQpResult& result, const ForceClosureQpWorkspace& ws) {
  if (result.residual < 1e-12) return true;  // interior of the force-closure region: r* = 0 nearby
  const Eigen::VectorXd g = ws.grasp.transpose() * (ws.grasp * result.lambda);
  for (Eigen::Index j = 0; j < g.size(); ++j) {
    const bool at_bound = result.lambda[j] < 1 + 1e-9 || result.lambda[j] > 21 - 1e-9;
    if (at_bound && std::abs(g[j]) < 1e-4) return false;
    if (!at_bound && (result.lambda[j] < 1 + 1e-3 || result.lambda[j] > 21 - 1e-3)) return false;
  }
  return true;
}

bool tangents_smooth(const ContactArray& normals, bool reference) {
  const double k = 1 / std::sqrt(3.0);
  for (int i = 0; i < normals.rows(); ++i) {
    if (!reference && std::abs(normals(i, 2)) < 1e-3) return false;
    if (reference && std::abs(Vec3(k, k, k).dot(normals.row(i)) - 0.9) < 1e-3) return false;
  }
  return true;
}

TEST(ForceClosureQp, GradientsMatchFiniteDifferences) {
  std::mt19937_64 rng(17);
  int checked_closed = 0, checked_open = 0;
  for (bool reference : {false, true})
    for (int trial = 0; trial < 40; ++trial) {
      ForceClosureQpParams params;
      params.reference_tangents = reference;
      params.cone_edges = trial % 4 == 3 ? 8 : 4;
      const Contacts c = random_contacts(rng, 2 + trial % 12);
      ForceClosureQpWorkspace ws;
      ForceClosureQpResult result;
      ContactArray dp(c.points.rows(), 3), dn(c.points.rows(), 3);
      force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result, dp, dn);
      if (!away_from_kinks(result, ws) || !tangents_smooth(c.normals, reference)) continue;
      (result.residual < 1e-12 ? checked_closed : checked_open)++;
      SCOPED_TRACE(::testing::Message() << "trial " << trial << " reference " << reference << " r* "
                                        << result.residual);
      ForceClosureQpWorkspace fd_ws;
      ForceClosureQpResult fd_result;
      const Energy energy = [&](const ContactArray& p, const ContactArray& n) {
        force_closure_qp_energy(params, p, n, c.centre, fd_ws, fd_result);
        return fd_result.energy;
      };
      expect_gradients_match(energy, c.points, c.normals, dp, dn, 1e-6, 1e-4);
    }
  EXPECT_GE(checked_open, 20);
  EXPECT_GE(checked_closed, 10);
}

TEST(ForceClosureQp, GradientsOfNonUnitNormalsAreTangent) {
  std::mt19937_64 rng(19);
  Contacts c = random_contacts(rng, 6);
  ForceClosureQpWorkspace ws;
  ForceClosureQpResult result, scaled_result;
  ContactArray dp(6, 3), dn(6, 3), dp_scaled(6, 3), dn_scaled(6, 3);
  force_closure_qp_energy({}, c.points, c.normals, c.centre, ws, result, dp, dn);
  const ContactArray scaled = 3.0 * c.normals;
  force_closure_qp_energy({}, c.points, scaled, c.centre, ws, scaled_result, dp_scaled, dn_scaled);
  EXPECT_NEAR(result.energy, scaled_result.energy, 1e-14 * result.energy);
  EXPECT_LT((dn - 3.0 * dn_scaled).norm(), 1e-10 * (1 + dn.norm()));
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(dn.row(i).dot(c.normals.row(i)), 0, 1e-12 * (1 + dn.norm()));
}

TEST(ForceClosureQp, WorkspaceReuseGivesIdenticalResults) {
  std::mt19937_64 rng(23);
  ForceClosureQpWorkspace shared;
  for (int trial = 0; trial < 20; ++trial) {
    const Contacts c = random_contacts(rng, 1 + (trial * 7) % 16);
    ForceClosureQpWorkspace fresh;
    ForceClosureQpResult a, b;
    force_closure_qp_energy({}, c.points, c.normals, c.centre, shared, a);
    force_closure_qp_energy({}, c.points, c.normals, c.centre, fresh, b);
    EXPECT_EQ(a.energy, b.energy);
    EXPECT_EQ(a.lambda, b.lambda);
  }
}

// ---------------------------------------------------------------------------------------------
// Force closure: cross-check with Ferrari-Canny.

double energy_floor(const ForceClosureQpParams& params, double g) {
  return params.value_gain * params.value_eps * std::exp(-params.svd_gain * g);
}

std::vector<Vec3> tetrahedron() { return {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}}; }
std::vector<Vec3> octahedron() {
  return {Vec3::UnitX(), -Vec3::UnitX(), Vec3::UnitY(), -Vec3::UnitY(), Vec3::UnitZ(), -Vec3::UnitZ()};
}

TEST(ForceClosureQp, ClosedGraspsSitAtTheFloorAndHavePositiveQ1) {
  for (bool reference : {false, true})
    for (const auto& directions : {tetrahedron(), octahedron()}) {
      const Contacts c = sphere_contacts(directions, 0.05);
      ForceClosureQpParams params;
      params.reference_tangents = reference;
      ForceClosureQpWorkspace ws;
      ForceClosureQpResult result;
      force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result);
      EXPECT_LT(result.residual, 1e-20);
      EXPECT_NEAR(result.energy, energy_floor(params, result.svd_term), 1e-15);
      EXPECT_GT(result.svd_term, 0);
      EXPECT_GT(ferrari_canny_q1({}, c.points, c.normals, c.centre, 0.05), 1e-3);
    }
}

TEST(ForceClosureQp, OneSidedGraspsAreFarAboveTheFloorAndHaveZeroQ1) {
  std::mt19937_64 rng(29);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<Vec3> directions;
    while (directions.size() < 4 + static_cast<size_t>(trial % 8)) {
      const Vec3 d = random_unit(rng);
      if (d.z() > 0.5) directions.push_back(d);
    }
    const Contacts c = sphere_contacts(directions, 0.05);
    ForceClosureQpWorkspace ws;
    ForceClosureQpResult result;
    const ForceClosureQpParams params;
    force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result);
    EXPECT_GT(result.residual, 0.1);
    EXPECT_GT(result.energy, 10 * energy_floor(params, result.svd_term));
    EXPECT_EQ(ferrari_canny_q1({}, c.points, c.normals, c.centre, 0.05), 0.0);
  }
}

// Force closure with the K-edge pyramids (Q1 > 0) means a strictly positive lambda balances; r* = 0
// additionally bounds the ratio max/min lambda by 21. So with the default box, r* = 0 implies
// Q1 > 0 (F has rank 6 for >= 3 generic contacts), and with a box wide enough to lift the ratio
// limit the two must agree, except for borderline cases (hull barely containing the origin, r*
// barely non-zero). Many random closed grasps do need a ratio above 21: r* > 0 for them by design.
TEST(ForceClosureQp, ZeroResidualAgreesWithFerrariCannyForceClosure) {
  std::mt19937_64 rng(31);
  const ForceClosureQpParams params;
  // Same pyramid directions in both: edges sqrt(1-mu²) n + mu s correspond to Coulomb tan = mu / sqrt(1-mu²).
  FerrariCannyParams q1_params;
  q1_params.cone_edges = params.cone_edges;
  q1_params.friction = params.friction / std::sqrt(1 - params.friction * params.friction);
  const double wide_upper = 1e4;
  int compared = 0, agree = 0, closed = 0, default_box_zero = 0, default_box_zero_closed = 0, ratio_limited = 0;
  BoxQpWorkspace qp_ws;
  Eigen::VectorXd wide_lambda;
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_real_distribution<double> tilt(0, 0.8);
    const int n = 3 + trial % 6;
    std::vector<Vec3> directions;
    for (int i = 0; i < n; ++i) directions.push_back(random_unit(rng));
    Contacts c = sphere_contacts(directions, 0.05);
    for (int i = 0; i < n; ++i)  // tilt normals off the radial direction: torques from normal forces too
      c.normals.row(i) = (c.normals.row(i) + tilt(rng) * random_unit(rng).transpose()).normalized();
    ForceClosureQpWorkspace ws;
    ForceClosureQpResult result;
    force_closure_qp_energy(params, c.points, c.normals, c.centre, ws, result);
    solve_box_qp(ws.grasp, params.lambda_min, wide_upper, qp_ws, wide_lambda);
    const double wide_residual = 0.5 * (ws.grasp * wide_lambda).squaredNorm();
    const double q1 = ferrari_canny_q1(q1_params, c.points, c.normals, c.centre, 0.05);

    if (result.residual <= 1e-14) {
      ++default_box_zero;
      default_box_zero_closed += q1 > 0;
    }
    const bool borderline = (q1 > 0 && q1 < 1e-3) || (wide_residual > 1e-14 && wide_residual < 1e-6);
    if (borderline) continue;
    ++compared;
    closed += q1 > 0;
    agree += (q1 > 0) == (wide_residual <= 1e-14);
    ratio_limited += q1 > 0 && result.residual > 1e-14;
  }
  EXPECT_GE(default_box_zero, 20);
  EXPECT_EQ(default_box_zero_closed, default_box_zero);
  EXPECT_GE(compared, 180);
  EXPECT_GE(closed, 40);
  EXPECT_GE(agree, 0.98 * compared) << agree << " of " << compared << " agree";
  RecordProperty("closed_but_needing_ratio_above_21", ratio_limited);
}

}  // namespace
}  // namespace graspqp
