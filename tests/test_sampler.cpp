// Initialization and the samplers: geometry of the initial poses, schedules, resets, and that
// optimization lowers the energy.
#include <graspqp/optim/sampler.hpp>

#include <gtest/gtest.h>

#include <numeric>

#include "test_util.hpp"

namespace graspqp {
namespace {

struct Fixture {
  HandModel hand = load_hand("allegro");
  ObjectModel object;
  Fixture() {
    ObjectLoadOptions o;
    o.surface_samples = 800;
    object = load_object(test::object_path("misc/apple.ply"), o);
  }
};
const Fixture& fx() {
  static Fixture f;
  return f;
}

TEST(Initialization, LookAtMapsApproachAxisToInward) {
  const Vec3 inward = Vec3(0.3, -0.5, 0.8).normalized();
  const Mat3 R = look_at_rotation(Vec3::UnitZ(), Vec3::UnitX(), inward);
  EXPECT_LT((R * Vec3::UnitZ() - inward).norm(), 1e-12);
  EXPECT_NEAR(R.determinant(), 1.0, 1e-12);
  EXPECT_LT((R.transpose() * R - Mat3::Identity()).norm(), 1e-12);
}

TEST(Initialization, HandStandsOffFacingTheObject) {
  const Fixture& f = fx();
  const GraspType& type = f.hand.grasp_type("full");
  InitOptions init;
  const auto anchors = hull_anchors(f.object, 32, init, 7);
  ASSERT_EQ(anchors.size(), 32u);
  Rng rng(3);
  for (const auto& a : anchors) {
    // Anchors lie 1 cm outside the hull.
    EXPECT_NEAR(f.object.sdf->query(a.point).distance, init.hull_offset, 0.01);  // hull vs mesh: concavities
    EXPECT_NEAR(a.inward.norm(), 1.0, 1e-12);
    const Eigen::VectorXd x = initial_state(f.hand, type, a, init, rng);
    const Mat3 R = rotation_from_6d(x.segment<6>(3));
    const Vec3 t = x.head<3>();
    const double standoff = (t - a.point).norm();
    EXPECT_GE(standoff, init.distance_lower - 1e-12);
    EXPECT_LE(standoff, init.distance_upper + 1e-12);
    // Approach axis within the tilt/pitch cone around the inward direction.
    EXPECT_GT((R * f.hand.approach_axis).dot(a.inward), std::cos(init.tilt_range + init.pitch_range) - 1e-9);
    for (int j = 0; j < f.hand.dof(); ++j) {
      EXPECT_GE(x[9 + j], f.hand.joints[j].lower - 1e-12);
      EXPECT_LE(x[9 + j], f.hand.joints[j].upper + 1e-12);
    }
  }
}

TEST(Initialization, GraspTypeInitPoseCurlsUnusedFingers) {
  const Fixture& f = fx();
  const GraspType& pinch = f.hand.grasp_type("pinch");
  ASSERT_TRUE(pinch.init_pose.count("middle_joint_1"));
  InitOptions init;
  init.joint_jitter = 0;
  const auto anchors = hull_anchors(f.object, 1, init, 1);
  Rng rng(1);
  const Eigen::VectorXd x = initial_state(f.hand, pinch, anchors[0], init, rng);
  const int j = 5;  // middle_joint_1
  ASSERT_EQ(f.hand.joints[j].name, "middle_joint_1");
  EXPECT_NEAR(x[9 + j], f.hand.joints[j].upper, 1e-12);
}

TEST(Initialization, ContactsAreDistinctWhenPossible) {
  Rng rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    auto c = random_contacts(16, 12, rng);
    std::sort(c.begin(), c.end());
    EXPECT_EQ(std::unique(c.begin(), c.end()), c.end());
    EXPECT_GE(c.front(), 0);
    EXPECT_LT(c.back(), 16);
  }
  EXPECT_EQ(random_contacts(4, 12, rng).size(), 12u);
}

TEST(Rng, DeterministicAndRoughlyNormal) {
  Rng a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
  Rng r(1);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double v = r.normal();
    s += v;
    s2 += v * v;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.02);
  for (int i = 0; i < 1000; ++i) {
    const double v = r.truncated_normal(0.5, 1.0, 0.0, 1.0);
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
  }
}

double mean_energy(const std::vector<Sample>& s) {
  return std::accumulate(s.begin(), s.end(), 0.0, [](double a, const Sample& b) { return a + b.energy; }) / s.size();
}

TEST(Sampler, MalaStarLowersTheEnergyAndResets) {
  const Fixture& f = fx();
  const GraspType& type = f.hand.grasp_type("full");
  SamplerOptions opt;
  opt.iterations = 0;
  const double initial =
      mean_energy(run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 8, 12, 11));
  opt.iterations = 300;
  opt.reset_period = 50;
  SamplerStats stats;
  const auto samples = run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 8, 12, 11, {}, &stats);
  EXPECT_LT(mean_energy(samples), 0.5 * initial);
  EXPECT_GT(stats.resets, 0);
  EXPECT_GT(stats.accepted, 0);
  EXPECT_LT(stats.accepted, stats.proposed);
  for (const auto& s : samples) EXPECT_TRUE(s.x.allFinite());
}

TEST(Sampler, AnnealingBaselineHasNoResets) {
  const Fixture& f = fx();
  SamplerOptions opt;
  opt.kind = SamplerKind::Annealing;
  opt.iterations = 200;
  opt.reset_period = 50;
  SamplerStats stats;
  const auto samples = run_sampler(f.hand, f.hand.grasp_type("full"), f.object, EnergyConfig{}, opt, InitOptions{}, 6,
                                   12, 3, {}, &stats);
  EXPECT_EQ(stats.resets, 0);
  EXPECT_EQ(stats.proposed, 6 * 200);
}

TEST(Sampler, SingleSampleDoesNotProduceNaN) {
  const Fixture& f = fx();
  SamplerOptions opt;
  opt.iterations = 60;
  opt.reset_period = 20;
  const auto samples =
      run_sampler(f.hand, f.hand.grasp_type("full"), f.object, EnergyConfig{}, opt, InitOptions{}, 1, 12, 3);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_TRUE(std::isfinite(samples[0].energy));
}

// freeze_after: a sample stops after that many steps of its own schedule (until a reset restarts it); a
// limit beyond the run changes nothing.
TEST(Sampler, FreezeAfterStopsConvergedSamples) {
  const Fixture& f = fx();
  SamplerOptions opt;
  opt.iterations = 120;
  opt.reset_period = 0;
  SamplerStats plain_stats, late_stats, frozen_stats;
  const auto& type = f.hand.grasp_type("full");
  const auto plain =
      run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 6, 12, 3, {}, &plain_stats);
  opt.freeze_after = 1000;
  const auto late = run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 6, 12, 3, {}, &late_stats);
  for (size_t b = 0; b < plain.size(); ++b) EXPECT_EQ(plain[b].x, late[b].x) << b;
  EXPECT_EQ(late_stats.frozen_steps, 0);
  opt.freeze_after = 40;
  const auto frozen =
      run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 6, 12, 3, {}, &frozen_stats);
  EXPECT_EQ(frozen_stats.frozen_steps, 6 * (120 - 40));
  EXPECT_EQ(frozen_stats.proposed, 6 * 40);
  for (const auto& s : frozen) EXPECT_EQ(s.step, 40);
  EXPECT_EQ(plain_stats.proposed, 6 * 120);
}

TEST(Sampler, NearSetsLeaveTheSamplesUnchanged) {
  // Remembered near sets (energy/near_sets.hpp) are exact: with resets (large moves) and small steps,
  // every sample's state, contacts and energy are the same bit for bit with them off.
  const Fixture& f = fx();
  SamplerOptions opt;
  opt.iterations = 200;
  opt.reset_period = 40;  // resets at steps 40 and 80 (none in the last 2 periods)
  const auto& type = f.hand.grasp_type("full");
  SamplerStats with_stats, without_stats;
  const auto with = run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 6, 12, 5, {}, &with_stats);
  opt.near_sets = false;
  const auto without =
      run_sampler(f.hand, type, f.object, EnergyConfig{}, opt, InitOptions{}, 6, 12, 5, {}, &without_stats);
  ASSERT_EQ(with.size(), without.size());
  for (size_t b = 0; b < with.size(); ++b) {
    EXPECT_EQ(with[b].x, without[b].x) << b;
    EXPECT_EQ(with[b].contacts, without[b].contacts) << b;
    EXPECT_EQ(with[b].energy, without[b].energy) << b;
  }
  EXPECT_EQ(with_stats.accepted, without_stats.accepted);
  EXPECT_GT(with_stats.resets, 0);
  EXPECT_GT(with_stats.near_reuses, 0);
  EXPECT_GT(with_stats.near_searches, 0);
  EXPECT_EQ(without_stats.near_searches + without_stats.near_reuses, 0);
}

}  // namespace
}  // namespace graspqp
