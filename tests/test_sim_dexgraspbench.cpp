// The DexGraspBench protocol step by step, read back from the compiled model and the recorded trajectory:
// a reset to the pregrasp per direction, the two closing stages, the force, the thresholds; verdicts of a
// holding grasp, the same grasp opened and moved 5 cm away; the same verdicts alone, in a batch, any threads.
#include <graspqp/error.hpp>
#include <graspqp/sim/evaluate.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <map>
#include <optional>

#include "sim/simulator.hpp"
#include "sim_fixture.hpp"

using namespace graspqp;
using namespace graspqp::test_sim;

namespace {

struct Step {
  double ctrl = 0;  // the finger target
  Vec3 force = Vec3::Zero();
  Vec3 object = Vec3::Zero();
  double finger = 0;  // joint1 after the step
};

// Every step of every test of one trial, without the shared settle phase (each test simulated in full).
// `poses`: the grasp's stored (pregrasp, squeeze) finger values, if any.
std::map<int, std::vector<Step>> record(const SimProtocol& protocol, const std::array<double, 3>& grasp,
                                        sim_detail::TrialOutcome* outcome = nullptr,
                                        std::optional<std::pair<double, double>> poses = std::nullopt) {
  auto& f = box_fixture();
  EvalOptions o = options_for(protocol.name);
  o.protocol = protocol;
  const auto scene = build_sim_scene(f.panda, f.object, protocol, SimSceneOptions{});
  const mjModel* m = scene->model.get();
  sim_detail::DataPtr d(mj_makeData(m));
  sim_detail::Simulator sim(*scene, f.panda, o);
  std::map<int, std::vector<Step>> steps;
  sim.set_step_observer([&](int test, long step, const mjData* data) {
    EXPECT_EQ(step, static_cast<long>(steps[test].size()));
    Step s;
    s.ctrl = data->ctrl[scene->actuator[0]];
    for (int k = 0; k < 3; ++k) {
      s.force[k] = data->xfrc_applied[6 * scene->object_body + k];
      s.object[k] = data->qpos[scene->object_qpos + k];
    }
    s.finger = data->qpos[scene->link_qpos[f.panda.joints[0].link]];
    steps[test].push_back(s);
  });
  const GraspDataset g = panda_grasps({grasp});
  SimGrasp sg;
  sg.root_pose = g.root_pose.row(0).transpose();
  sg.joints = g.joints.row(0).transpose();
  sg.closing_delta = g.closing_delta.row(0).transpose();
  if (poses)
    sg.pregrasp = Eigen::VectorXd::Constant(1, poses->first), sg.squeeze = Eigen::VectorXd::Constant(1, poses->second);
  const auto r = sim.run_trial(d.get(), sg, sg.root_pose.head<3>(), Eigen::Quaterniond(1, 0, 0, 0));
  if (outcome) *outcome = r;
  return steps;
}

}  // namespace

TEST(DexGraspBench, ConstantsOfTheProtocol) {
  const SimProtocol p = make_protocol("dexgraspbench"), b = make_protocol("dexgraspbench-baseline");
  EXPECT_EQ(p.tests.size(), 6u);
  EXPECT_EQ(p.test_names, (std::vector<std::string>{"-x", "+x", "-y", "+y", "-z", "+z"}));
  for (size_t t = 0; t < p.tests.size(); ++t) EXPECT_EQ(p.tests[t].size(), 1u);  // one direction per reset
  EXPECT_EQ(p.closing, "stages");
  EXPECT_EQ(p.hand_root, "floating");
  EXPECT_DOUBLE_EQ(p.settle_time, 2 * 10 * 10 * 0.004);
  EXPECT_DOUBLE_EQ(p.pull_duration, 2.0);
  EXPECT_DOUBLE_EQ(p.check_interval, 0.2);
  EXPECT_DOUBLE_EQ(p.max_translation, 0.05);
  EXPECT_DOUBLE_EQ(p.max_rotation_deg, 15);
  EXPECT_DOUBLE_EQ(p.max_initial_penetration, 0.01);
  EXPECT_EQ(p.trial_rule, "all");
  EXPECT_DOUBLE_EQ(p.object_mass, 0.1);
  EXPECT_DOUBLE_EQ(p.joint_kp, 5);
  EXPECT_DOUBLE_EQ(p.pregrasp_scale, 0.25);
  EXPECT_DOUBLE_EQ(p.closing_scale, 0.25);
  EXPECT_DOUBLE_EQ(b.object_mass, 0.03);
  EXPECT_DOUBLE_EQ(b.joint_kp, 1);
  // Settings that contradict the stages are refused.
  SimProtocol bad = p;
  bad.settle_time = 0.5;
  EXPECT_THROW(validate_protocol(bad), Error);
}

// The trajectory: each test starts at the pregrasp with the object at rest at the origin; the target steps
// 10 times from the pregrasp to the grasp and 10 times to the squeeze, each held 10 steps; then a force of
// 10 x 0.1 kg along the test's direction; a held grasp runs the full 2 s, every test.
TEST(DexGraspBench, ResetStagesAndForceInTheTrajectory) {
  SimProtocol p = make_protocol("dexgraspbench");
  p.stop_at_verdict = false;
  sim_detail::TrialOutcome outcome;
  const auto steps = record(p, kHold, &outcome);
  ASSERT_EQ(steps.size(), 6u);
  const double grasp = kHold[0], delta = kHold[1];
  const double squeeze = grasp + p.closing_scale * delta, pre = grasp - p.pregrasp_scale * delta;
  for (const auto& [test, s] : steps) {
    SCOPED_TRACE(test);
    ASSERT_EQ(s.size(), 200u + 500u);     // 0.8 s of closing stages, 2 s of force, no early stop
    EXPECT_LT(s[0].object.norm(), 1e-4);  // reset: the object at its initial pose
    EXPECT_NEAR(s[0].finger, pre, 2e-3);  // and the finger at the pregrasp
    for (int k = 0; k < 200; ++k) {
      const int j = k / 10;
      const double target = j < 10 ? pre + (grasp - pre) * (j + 1) / 10.0 : grasp + (squeeze - grasp) * (j - 9) / 10.0;
      EXPECT_NEAR(s[k].ctrl, target, 1e-12) << k;
      EXPECT_EQ(s[k].force.norm(), 0) << k;
    }
    const Vec3 dir = p.tests[test][0].normalized();
    for (size_t k = 200; k < s.size(); ++k) {
      EXPECT_NEAR(s[k].ctrl, squeeze, 1e-12);
      EXPECT_NEAR((s[k].force - 10 * 0.1 * dir).norm(), 0, 1e-12) << k;
    }
  }
  for (bool held : outcome.held) EXPECT_TRUE(held);
}

// Poses stored in the grasp file are what the stages close through (stage_poses "file", the default);
// "derived" ignores them and opens and squeezes by the protocol's scales.
TEST(DexGraspBench, StagesCloseThroughTheStoredPoses) {
  SimProtocol p = make_protocol("dexgraspbench");
  p.stop_at_verdict = false;
  EXPECT_EQ(p.stage_poses, "file");
  const double grasp = kHold[0], delta = kHold[1];
  const double pre = grasp - 0.5 * delta, squeeze = grasp + 0.1 * delta;  // not the protocol's 0.25 / 0.25
  const auto steps = record(p, kHold, nullptr, std::make_pair(pre, squeeze));
  ASSERT_EQ(steps.size(), 6u);
  for (const auto& [test, s] : steps) {
    SCOPED_TRACE(test);
    EXPECT_NEAR(s[0].finger, pre, 2e-3);
    for (int k = 0; k < 200; ++k) {
      const int j = k / 10;
      const double target = j < 10 ? pre + (grasp - pre) * (j + 1) / 10.0 : grasp + (squeeze - grasp) * (j - 9) / 10.0;
      EXPECT_NEAR(s[k].ctrl, target, 1e-12) << k;
    }
  }
  p.stage_poses = "derived";
  const auto derived = record(p, kHold, nullptr, std::make_pair(pre, squeeze));
  const double derived_pre = grasp - p.pregrasp_scale * delta, derived_squeeze = grasp + p.closing_scale * delta;
  for (const auto& [test, s] : derived) {
    EXPECT_NEAR(s[0].finger, derived_pre, 2e-3);
    EXPECT_NEAR(s[199].ctrl, derived_squeeze, 1e-12);
  }
  p.stage_poses = "stored";
  EXPECT_THROW(validate_protocol(p), Error);
}

TEST(DexGraspBench, HeldGraspPassesOpenedOrMovedAwayFails) {
  auto& f = box_fixture();
  for (const std::string name : {"dexgraspbench", "dexgraspbench-baseline"}) {
    SCOPED_TRACE(name);
    const auto r = evaluate_grasps(f.panda, f.object, panda_grasps({kHold, kOpen, kFar}), options_for(name));
    EXPECT_TRUE(r[0].success);
    EXPECT_LT(r[0].max_translation, 0.05);
    EXPECT_FALSE(r[1].success);  // opened
    EXPECT_FALSE(r[2].success);  // 5 cm away
  }
  // A failing test stops early (checked every 0.2 s) and, under "all", ends the trial.
  SimProtocol p = make_protocol("dexgraspbench");
  sim_detail::TrialOutcome outcome;
  const auto steps = record(p, kOpen, &outcome);
  ASSERT_FALSE(steps.empty());
  EXPECT_LT(steps.begin()->second.size(), 700u);
  EXPECT_EQ((steps.begin()->second.size() - 200) % 50, 0u);  // stopped at a check
  EXPECT_FALSE(outcome.held[0]);
}

TEST(DexGraspBench, SameVerdictsAloneInABatchAndForAnyThreadCount) {
  auto& f = box_fixture();
  const auto batch = panda_grasps({kOpen, kHold, kFar, kHold});
  const auto one = evaluate_grasps(f.panda, f.object, panda_grasps({kHold}), options_for("dexgraspbench", 1));
  for (int threads : {1, 2, 3}) {
    const auto r = evaluate_grasps(f.panda, f.object, batch, options_for("dexgraspbench", threads));
    EXPECT_EQ(r[1].success, one[0].success);
    EXPECT_EQ(r[3].success, one[0].success);
    EXPECT_EQ(r[1].max_translation, one[0].max_translation);  // the same numbers, not only the verdict
    EXPECT_EQ(r[3].max_rotation_deg, one[0].max_rotation_deg);
    EXPECT_FALSE(r[0].success);
    EXPECT_FALSE(r[2].success);
  }
}
