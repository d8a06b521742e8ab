// Settling in simulation (sim/settle.hpp): the closing of a protocol read back as a grasp. Checked against
// MuJoCo's own state (the settled grasp through our kinematics puts every link where MuJoCo had it, in the
// object's settled frame), on a grasp that pushes the box and one that does not, and for any thread count.
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/sim/settle.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include "sim/simulator.hpp"
#include "sim_fixture.hpp"

using namespace graspqp;
using namespace graspqp::test_sim;

namespace {

// The Panda's hold grasp with the hand moved `dy` along the squeezing axis: one pad reaches the box first.
SimGrasp shifted_hold(double dy) {
  const GraspDataset d = panda_grasps({kHold});
  SimGrasp g = dataset_sim_grasps(box_fixture().panda, d)[0];
  g.root_pose[1] += dy;
  return g;
}

std::shared_ptr<const SimScene> scene_for(const EvalOptions& o) {
  return build_sim_scene(box_fixture().panda, box_fixture().object, o.protocol, SimSceneOptions{});
}

}  // namespace

TEST(Settle, CentredGraspKeepsItsPoseAndClosesOnTheBox) {
  const EvalOptions o = options_for("graspqp");
  const auto scene = scene_for(o);
  const SettledGrasp s = settle_grasps(*scene, box_fixture().panda, {shifted_hold(0)}, o)[0];
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_LT(s.object_translation, 5e-4);
  EXPECT_LT(s.object_rotation_deg, 1.0);
  const SimGrasp g = shifted_hold(0);
  EXPECT_LT((s.root_pose.head<3>() - g.root_pose.head<3>()).norm(), 5e-4);
  // The pads start 0.5 mm off the 1.6 cm box and close onto it (soft contacts: a little into it).
  EXPECT_LT(s.joints[0], g.joints[0] - 2e-4);
  EXPECT_NEAR(s.joints[0], 0.008, 5e-4);
  EXPECT_EQ(s.contacts, 2);
}

TEST(Settle, PushedBoxEndsBetweenThePadsAndTheGraspFollowsIt) {
  const EvalOptions o = options_for("graspqp");
  const auto scene = scene_for(o);
  const double dy = 0.004;  // one pad reaches the box 4 mm before the other and pushes it along y
  const SettledGrasp s = settle_grasps(*scene, box_fixture().panda, {shifted_hold(dy)}, o)[0];
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_NEAR(s.object_translation, dy, 1e-3);
  // In the settled object's frame the hand is centred on the box again.
  EXPECT_NEAR(s.root_pose[1], 0.0, 1e-3);
  EXPECT_NEAR(s.joints[0], 0.008, 5e-4);
  EXPECT_EQ(s.contacts, 2);
  // The settled grasp, settled again, no longer moves the object.
  SimGrasp again = shifted_hold(0);
  again.root_pose = s.root_pose;
  again.joints = s.joints;
  const SettledGrasp s2 = settle_grasps(*scene, box_fixture().panda, {again}, o)[0];
  EXPECT_LT(s2.object_translation, 1e-3);
}

TEST(Settle, SettledGraspPutsEveryLinkWhereMujocoHadIt) {
  for (const char* protocol : {"graspqp", "dexgraspbench"}) {  // fixed root, and a floating root moved by contacts
    SCOPED_TRACE(protocol);
    const EvalOptions o = options_for(protocol);
    const auto scene = scene_for(o);
    const HandModel& hand = box_fixture().panda;
    const mjModel* m = scene->model.get();
    sim_detail::DataPtr d(mj_makeData(m));
    sim_detail::Simulator sim(*scene, hand, o);
    const SimGrasp g = shifted_hold(0.004);
    const SettledGrasp s = sim.settle(d.get(), g, g.root_pose.head<3>(), Eigen::Quaterniond(1, 0, 0, 0));
    ASSERT_TRUE(s.error.empty()) << s.error;
    // MuJoCo's link frames in the object's frame at the end of the closing.
    const double* oq = d->qpos + scene->object_qpos;
    const Eigen::Quaterniond object_quat(oq[3], oq[4], oq[5], oq[6]);
    const Vec3 object_pos(oq[0], oq[1], oq[2]);
    // Ours: the settled grasp through forward kinematics.
    const Eigen::Quaterniond quat(s.root_pose[3], s.root_pose[4], s.root_pose[5], s.root_pose[6]);
    HandData data(hand);
    forward_kinematics(hand, make_state(s.root_pose.head<3>(), quat.toRotationMatrix(), s.joints), data);
    // A coupled (mimic) joint follows its actuated joint through a soft equality constraint in MuJoCo, so
    // its link may be off by the constraint's violation (prismatic here: a distance), which a grasp cannot
    // express; every other link must match exactly.
    std::vector<double> slack(hand.links.size(), 1e-9);
    for (size_t l = 0; l < hand.links.size(); ++l) {
      const LinkModel& link = hand.links[l];
      if (link.parent >= 0) slack[l] = slack[link.parent];
      if (link.actuated < 0 || hand.joints[link.actuated].link == static_cast<int>(l)) continue;
      ASSERT_EQ(link.joint_type, JointType::Prismatic);
      const double expected = link.multiplier * s.joints[link.actuated] + link.offset;
      slack[l] += std::abs(d->qpos[scene->link_qpos[l]] - expected);
    }
    for (size_t l = 0; l < hand.links.size(); ++l) {
      const int body = scene->link_body[l];
      const Vec3 world(d->xpos[3 * body], d->xpos[3 * body + 1], d->xpos[3 * body + 2]);
      const Vec3 in_object = object_quat.conjugate() * (world - object_pos);
      EXPECT_LE((in_object - data.position[l]).norm(), slack[l] + 1e-9) << hand.links[l].name;
      const double* bq = d->xquat + 4 * body;
      const Eigen::Quaterniond link_quat = object_quat.conjugate() * Eigen::Quaterniond(bq[0], bq[1], bq[2], bq[3]);
      EXPECT_LT((link_quat.toRotationMatrix() - data.rotation[l]).norm(), 1e-9) << hand.links[l].name;
    }
  }
}

TEST(Settle, SameResultForAnyThreadCount) {
  EvalOptions o = options_for("graspqp", 1);
  const auto scene = scene_for(o);
  const std::vector<SimGrasp> grasps = {shifted_hold(0), shifted_hold(0.003), shifted_hold(-0.002),
                                        shifted_hold(0.001)};
  const auto one = settle_grasps(*scene, box_fixture().panda, grasps, o);
  o.threads = 2;
  const auto two = settle_grasps(*scene, box_fixture().panda, grasps, o);
  ASSERT_EQ(one.size(), two.size());
  for (size_t b = 0; b < one.size(); ++b) {
    EXPECT_EQ(one[b].root_pose, two[b].root_pose);
    EXPECT_EQ(one[b].joints, two[b].joints);
    EXPECT_EQ(one[b].object_translation, two[b].object_translation);
  }
}

TEST(Settle, BadGraspIsNamed) {
  const EvalOptions o = options_for("graspqp");
  const auto scene = scene_for(o);
  SimGrasp g = shifted_hold(0);
  g.joints.resize(3);
  EXPECT_THROW(settle_grasps(*scene, box_fixture().panda, {g}, o), Error);
}

// Depenetration (clear_grasps_of_object): a hand pushed 6 mm towards the box (one pad into it) is moved out along the
// contact normal until MuJoCo's deepest contact at the start pose, read back by the simulator's own trial start
// (GraspEvalResult::initial_penetration), is within the tolerance; a grasp already clear is not moved.
TEST(Depenetrate, MovesAPenetratingHandOutAndLeavesAClearOneAlone) {
  for (const char* protocol : {"graspqp", "dexgraspbench"}) {
    SCOPED_TRACE(protocol);
    EvalOptions o = options_for(protocol);
    o.protocol.max_initial_penetration = 0;  // measure, do not prefilter
    o.protocol.stop_at_verdict = true;
    const auto scene = scene_for(o);
    const HandModel& hand = box_fixture().panda;
    const std::vector<SimGrasp> grasps = {shifted_hold(0.006), shifted_hold(0)};
    const double tolerance = 5e-4;
    const auto before = simulate_grasps(*scene, hand, grasps, o);
    ASSERT_GT(before[0].initial_penetration, 1e-3);
    ASSERT_LE(before[1].initial_penetration, tolerance);
    const std::vector<Vec3> pos = clear_grasps_of_object(*scene, hand, grasps, o, tolerance);
    ASSERT_EQ(pos.size(), 2u);
    EXPECT_EQ(pos[1], Vec3(grasps[1].root_pose.head<3>()));  // clear already: exactly where it was
    const Vec3 moved = pos[0] - grasps[0].root_pose.head<3>();
    EXPECT_GT(std::abs(moved.y()), before[0].initial_penetration - tolerance);  // back along the squeezing axis
    EXPECT_LT(moved.y(), 0);
    EXPECT_LT(std::hypot(moved.x(), moved.z()), 0.2 * std::abs(moved.y()));
    std::vector<SimGrasp> cleared = grasps;
    cleared[0].root_pose.head<3>() = pos[0];
    const auto after = simulate_grasps(*scene, hand, cleared, o);
    EXPECT_LE(after[0].initial_penetration, tolerance + 1e-9);
    // Any thread count, the same positions.
    EvalOptions one = o;
    one.threads = 1;
    EXPECT_EQ(clear_grasps_of_object(*scene, hand, grasps, one, tolerance), pos);
  }
}
