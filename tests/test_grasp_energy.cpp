// Every energy term's gradient with respect to the full grasp state against central finite
// differences, on several hands and objects: kinematics, object SDF (including the change of the
// object normal with the contact point), QP envelope gradient and the adjoint pass together.
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/energy/joint_limits.hpp>
#include <graspqp/energy/penetration.hpp>
#include <graspqp/optim/initialization.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace graspqp {
namespace {

struct Fixture {
  HandModel hand;
  ObjectModel object;
};

const Fixture& fixture(const std::string& hand, const std::string& object) {
  static std::map<std::string, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[hand + "/" + object];
  if (!slot) {
    ObjectLoadOptions o;
    o.surface_samples = 1000;
    slot = std::make_unique<Fixture>(Fixture{load_hand(hand), load_object(test::object_path(object), o)});
  }
  return *slot;
}

EnergyConfig only(int term) {
  EnergyConfig c;
  c.weights = EnergyWeights{0, 0, 0, 0, 0, 0, 0, 0};
  c.table_z = 0.02;  // a table through the objects, so that E_wall is active
  double* w[] = {&c.weights.dis,    &c.weights.fc,    &c.weights.pen,  &c.weights.spen,
                 &c.weights.joints, &c.weights.prior, &c.weights.wall, &c.weights.hpen};
  *w[term] = 1.0;
  return c;
}

// A state near the object: the hull initialization with a small or negative stand-off (so that
// contacts are close and links penetrate), joints spread over (and a little beyond) their range.
Eigen::VectorXd near_state(const Fixture& f, const GraspType& type, Rng& rng, double standoff) {
  InitOptions init;
  init.distance_lower = standoff;
  init.distance_upper = standoff + 0.01;
  init.joint_jitter = 0.5;
  auto anchors = hull_anchors(f.object, 8, init, rng.next());
  Eigen::VectorXd x = initial_state(f.hand, type, anchors[rng.uniform_int(8)], init, rng);
  for (int j = 0; j < f.hand.dof(); ++j)
    x[9 + j] += rng.uniform(-0.05, 0.05) * (f.hand.joints[j].upper - f.hand.joints[j].lower);
  x.segment<6>(3) *= 1.3;  // the 6-D rotation need not be normalized
  return x;
}

void check_gradient(const std::string& hand, const std::string& object, int term, double standoff) {
  const Fixture& f = fixture(hand, object);
  const GraspType& type = f.hand.grasp_types.front();
  const EnergyConfig config = only(term);
  EnergyWorkspace ws(f.hand);
  EnergyTerms terms;
  Rng rng(1234 + term);
  int checked = 0;
  for (int trial = 0; trial < 60 && checked < 4; ++trial) {
    const Eigen::VectorXd x = near_state(f, type, rng, standoff);
    const std::vector<int> contacts = random_contacts(static_cast<int>(type.candidates.size()), 12, rng);
    Eigen::VectorXd g;
    const double E = grasp_energy(f.hand, type, f.object, config, x, contacts, ws, terms, &g);
    if (!(E > 1e-9)) continue;  // the term is inactive here (no penetration, no overlap...)
    const double h = 1e-7;
    Eigen::VectorXd fd(x.size());
    for (int i = 0; i < x.size(); ++i) {
      Eigen::VectorXd xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      fd[i] = (grasp_energy(f.hand, type, f.object, config, xp, contacts, ws, terms, nullptr) -
               grasp_energy(f.hand, type, f.object, config, xm, contacts, ws, terms, nullptr)) /
              (2 * h);
    }
    const double rel = (fd - g).norm() / std::max(g.norm(), 1e-8);
    EXPECT_LT(rel, 1e-4) << hand << " " << EnergyTerms::names()[term] << " E=" << E << "\n analytic " << g.transpose()
                         << "\n finite-d " << fd.transpose();
    ++checked;
  }
  EXPECT_GE(checked, 2) << "term " << EnergyTerms::names()[term] << " was rarely active for " << hand;
}

struct Case {
  std::string hand, object;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.hand << "/" << c.object; }
};
class EnergyGradient : public ::testing::TestWithParam<Case> {};

TEST_P(EnergyGradient, ContactDistance) { check_gradient(GetParam().hand, GetParam().object, 0, 0.0); }
TEST_P(EnergyGradient, ForceClosureQP) { check_gradient(GetParam().hand, GetParam().object, 1, 0.0); }
TEST_P(EnergyGradient, Penetration) { check_gradient(GetParam().hand, GetParam().object, 2, -0.04); }
TEST_P(EnergyGradient, JointLimits) { check_gradient(GetParam().hand, GetParam().object, 4, 0.0); }
TEST_P(EnergyGradient, Prior) { check_gradient(GetParam().hand, GetParam().object, 5, 0.0); }
TEST_P(EnergyGradient, Wall) { check_gradient(GetParam().hand, GetParam().object, 6, 0.0); }
TEST_P(EnergyGradient, HandPenetration) { check_gradient(GetParam().hand, GetParam().object, 7, -0.04); }

INSTANTIATE_TEST_SUITE_P(Hands, EnergyGradient,
                         ::testing::Values(Case{"allegro", "ycb/mug/textured.obj"},
                                           Case{"shadow_hand", "misc/apple.ply"},
                                           Case{"robotiq3", "ycb/banana/textured.obj"},
                                           Case{"ability_hand", "ycb/cracker_box/textured.obj"}),
                         [](const auto& info) { return info.param.hand; });

TEST(HandPenetration, SeesALinkWhollyInsideTheObject) {
  // The cracker box is 6 cm thick: a hand pushed 3 cm into it has whole links inside, where the
  // reference's E_pen (object samples inside links) can be small; E_hpen counts every buried hand point,
  // and agrees with an unculled brute-force sum over the hand points.
  const Fixture& f = fixture("allegro", "ycb/cracker_box/textured.obj");
  const GraspType& type = f.hand.grasp_type("full");
  EnergyWorkspace ws(f.hand);
  EnergyTerms terms;
  Rng rng(8);
  int deep = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const Eigen::VectorXd x = near_state(f, type, rng, -0.05);
    const std::vector<int> contacts = random_contacts(static_cast<int>(type.candidates.size()), 12, rng);
    grasp_energy(f.hand, type, f.object, EnergyConfig{}, x, contacts, ws, terms, nullptr);
    double brute = 0;
    int inside = 0;
    for (const SurfacePoint& s : f.hand.surface_points) {
      const double d = f.object.sdf->query(ws.hand.to_world(s.link, s.position)).distance;
      if (d < 0) brute -= d, ++inside;
    }
    EXPECT_NEAR(terms.hpen(), brute, 1e-12 * std::max(1.0, brute));
    deep += inside > 20;
  }
  EXPECT_GE(deep, 3);
}

TEST(Penetration, EqualsAnUnculledSumOverEverySampleAndLink) {
  // E_pen culls by the sample grid, each link's box, culling grid and convex hull: none of them may drop a
  // sample inside a link. Against the definition itself: every object sample queried against every link.
  for (const char* hand : {"allegro", "shadow_hand", "leap", "robotiq2"}) {
    const Fixture& f = fixture(hand, "ycb/mug/textured.obj");
    const GraspType& type = f.hand.grasp_types.front();
    EnergyWorkspace ws(f.hand);
    Rng rng(9);
    int penetrating = 0;
    for (int trial = 0; trial < 8; ++trial) {
      const Eigen::VectorXd x = near_state(f, type, rng, -0.02);
      forward_kinematics(f.hand, x, ws.hand);
      const PenetrationResult culled = penetration_energy(f.hand, ws.hand, f.object, ws.penetration, 0.0);
      double brute = 0, deepest = 0;
      int inside = 0;
      for (const Vec3& o : f.object.surface_points) {
        double depth = 0;
        for (size_t l = 0; l < f.hand.links.size(); ++l) {
          const LinkModel& link = f.hand.links[l];
          if (!link.collision_sdf) continue;
          const Vec3 local = ws.hand.rotation[l].transpose() * (o - ws.hand.position[l]);
          depth = std::max(depth, -link.collision_sdf->query(local).distance);
        }
        if (depth > 0) brute += depth, deepest = std::max(deepest, depth), ++inside;
      }
      EXPECT_EQ(culled.points_inside, inside) << hand << " trial " << trial;
      EXPECT_EQ(culled.max_depth, deepest) << hand << " trial " << trial;
      EXPECT_NEAR(culled.energy, brute, 1e-12 * std::max(1.0, brute)) << hand << " trial " << trial;
      penetrating += inside > 10;
    }
    EXPECT_GE(penetrating, 4) << hand << ": the poses must push links into the mug";
  }
}

TEST(HandModel, CollisionHullHoldsTheLinkAndCullsOnlyPointsOutsideIt) {
  for (const char* hand : {"allegro", "shadow_hand", "leap", "barrett"}) {
    const HandModel model = load_hand(hand);
    Rng rng(10);
    int links_with_hull = 0, beyond = 0;
    for (const LinkModel& link : model.links) {
      if (!link.collision_sdf) continue;
      ASSERT_GT(link.collision_hull.rows(), 3) << hand << " " << link.name;
      ++links_with_hull;
      for (const Vec3& v : link.collision_mesh.vertices)
        for (Eigen::Index i = 0; i < link.collision_hull.rows(); ++i)
          ASSERT_LE(link.collision_hull.row(i).head<3>().dot(v), link.collision_hull(i, 3)) << hand << " " << link.name;
      // Points beyond a half-space are outside the link (the field agrees), and some points are.
      Eigen::AlignedBox3d box = link.collision_box;
      box.extend(box.min() - Vec3::Constant(0.005)).extend(box.max() + Vec3::Constant(0.005));
      for (int k = 0; k < 300; ++k) {
        const Vec3 p(rng.uniform(box.min().x(), box.max().x()), rng.uniform(box.min().y(), box.max().y()),
                     rng.uniform(box.min().z(), box.max().z()));
        const Eigen::VectorXd excess = link.collision_hull.leftCols<3>() * p - link.collision_hull.col(3);
        if (excess.maxCoeff() <= 0) continue;
        ++beyond;
        ASSERT_GT(link.collision_sdf->query(p).distance, 0) << hand << " " << link.name;
      }
    }
    EXPECT_GT(links_with_hull, 3) << hand;
    EXPECT_GT(beyond, 100) << hand;
  }
}

TEST(JointLimits, PrismaticJointsInCentimetres) {
  // 1 mm beyond a prismatic limit costs 0.1 (as 0.1 rad beyond a revolute one); gradient by FD.
  const Fixture& f = fixture("panda", "misc/apple.ply");
  EnergyWorkspace ws(f.hand);
  ASSERT_EQ(f.hand.dof(), 1);
  EXPECT_DOUBLE_EQ(ws.joint_limit_scale[0], 100.0);
  Eigen::VectorXd g;
  const Eigen::VectorXd lo = f.hand.lower_limits(), hi = f.hand.upper_limits();
  Eigen::VectorXd q = hi + Eigen::VectorXd::Constant(1, 0.001);
  EXPECT_NEAR(joint_limit_energy(q, lo, hi, g, ws.joint_limit_scale), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(g[0], 100.0);
  q = lo - Eigen::VectorXd::Constant(1, 0.002);
  EXPECT_NEAR(joint_limit_energy(q, lo, hi, g, ws.joint_limit_scale), 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(g[0], -100.0);
  // Revolute joints keep the reference's scale.
  const Fixture& a = fixture("allegro", "misc/apple.ply");
  EXPECT_EQ(EnergyWorkspace(a.hand).joint_limit_scale, Eigen::VectorXd::Ones(a.hand.dof()));
}

TEST(DistanceGrid, EstimateWithinItsBound) {
  const Fixture& f = fixture("allegro", "ycb/cracker_box/textured.obj");
  const DistanceGrid& g = *f.object.coarse_sdf;
  Rng rng(3);
  const Eigen::AlignedBox3d box = f.object.mesh.bounding_box();
  int inside = 0;
  for (int i = 0; i < 3000; ++i) {
    const Vec3 p = box.min() - Vec3::Constant(0.02) +
                   (box.sizes() + Vec3::Constant(0.04))
                       .cwiseProduct(Vec3(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1)));
    const double exact = f.object.sdf->query(p).distance;
    const double est = g.estimate(p);
    if (std::isfinite(est))
      EXPECT_LE(std::abs(est - exact), g.error_bound()) << p.transpose();
    else
      EXPECT_GT(exact, 0) << p.transpose();  // outside the grid: outside the object
    if (exact <= 0) {
      EXPECT_TRUE(g.may_be_within(p, 0)) << p.transpose();
      ++inside;
    }
    if (exact > 2 * g.error_bound()) EXPECT_FALSE(g.may_be_within(p, 0)) << p.transpose();  // it does cull
  }
  EXPECT_GT(inside, 30);
  EXPECT_LT(g.error_bound(), 0.0045);  // (21 cm + 2 cm margin) / 48 x sqrt(3) / 2
}

TEST(EnergyGradient, SelfPenetration) {
  for (const char* hand : {"allegro", "shadow_hand", "robotiq3"}) check_gradient(hand, "misc/apple.ply", 3, 0.05);
}

TEST(GraspEnergy, TotalIsWeightedSumOfTerms) {
  const Fixture& f = fixture("allegro", "ycb/mug/textured.obj");
  const GraspType& type = f.hand.grasp_type("full");
  EnergyConfig config;
  EnergyWorkspace ws(f.hand);
  EnergyTerms terms;
  Rng rng(5);
  const Eigen::VectorXd x = near_state(f, type, rng, -0.01);
  const std::vector<int> contacts = random_contacts(static_cast<int>(type.candidates.size()), 12, rng);
  const double E = grasp_energy(f.hand, type, f.object, config, x, contacts, ws, terms, nullptr);
  const auto& w = config.weights;
  EXPECT_GT(terms.hpen(), 0);  // the state is 1 cm into the object: hand points are inside
  EXPECT_NEAR(E,
              w.dis * terms.values[0] + w.fc * terms.values[1] + w.pen * terms.values[2] + w.spen * terms.values[3] +
                  w.joints * terms.values[4] + w.hpen * terms.values[7],
              1e-9 * std::abs(E));
  // The gradient of the weighted sum is the weighted sum of the term gradients.
  Eigen::VectorXd g_total, g_sum = Eigen::VectorXd::Zero(f.hand.state_size()), g;
  grasp_energy(f.hand, type, f.object, config, x, contacts, ws, terms, &g_total);
  const double weights[] = {w.dis, w.fc, w.pen, w.spen, w.joints, w.prior, w.wall, w.hpen};
  for (int t = 0; t < EnergyTerms::kCount; ++t) {
    if (weights[t] == 0) continue;
    EnergyConfig one = only(t);
    grasp_energy(f.hand, type, f.object, one, x, contacts, ws, terms, &g);
    g_sum += weights[t] * g;
  }
  EXPECT_LT((g_total - g_sum).norm(), 1e-9 * std::max(1.0, g_total.norm()));
}

}  // namespace
}  // namespace graspqp
