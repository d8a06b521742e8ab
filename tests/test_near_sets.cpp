// NearSets (energy/near_sets.hpp): the penetration terms with remembered near sets give the same
// energies and gradients, bit for bit, as a fresh broad phase, along walks that move the hand by less
// and by more than the slack; and each path (reuse, fresh search) is exercised.
#include <graspqp/check.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/optim/initialization.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.hpp"

namespace graspqp {
namespace {

struct Walk {
  long steps = 0, steps_with_pen = 0, steps_with_hpen = 0;
  long searches = 0, reuses = 0;
  long face_hints = 0;  // remembered closest faces at the end (contacts, object samples, hand points)
};

// A random walk from states near the object (small stand-off, so links penetrate it), with steps of
// `step` in position and joints (and a jump to a new start now and then); at every step the energy with
// the walk's own NearSets is compared with a fresh evaluation.
void walk_and_compare(const std::string& hand_name, const std::string& object_name, double step, double slack,
                      std::uint64_t seed, Walk& w) {
  const HandModel hand = load_hand(hand_name);
  ObjectLoadOptions o;
  o.surface_samples = 1000;
  const ObjectModel object = load_object(test::object_path("ycb/" + object_name + "/textured.obj"), o);
  const GraspType& type = hand.grasp_types.front();
  EnergyConfig config;  // every term, E_pen and E_hpen included
  EnergyWorkspace ws_fresh(hand), ws_near(hand);
  NearSets near;
  near.slack = slack;
  Rng rng(seed);
  InitOptions init;
  init.distance_lower = -0.005;
  init.distance_upper = 0.01;
  init.joint_jitter = 0.3;
  const auto anchors = hull_anchors(object, 8, init, rng.next());
  std::vector<int> contacts = random_contacts(static_cast<int>(type.candidates.size()), 12, rng);
  Eigen::VectorXd x;
  for (int t = 0; t < 240; ++t) {
    if (t % 60 == 0) {
      x = initial_state(hand, type, anchors[rng.uniform_int(8)], init, rng);
    } else {
      for (int i = 0; i < 3; ++i) x[i] += rng.uniform(-step, step);
      for (int i = 3; i < 9; ++i) x[i] += rng.uniform(-step, step);  // the 6-D rotation (a few step radians)
      for (int i = 9; i < x.size(); ++i) x[i] += rng.uniform(-10 * step, 10 * step);
    }
    EnergyTerms fresh_terms, near_terms;
    Eigen::VectorXd fresh_grad, near_grad;
    const double fresh = grasp_energy(hand, type, object, config, x, contacts, ws_fresh, fresh_terms, &fresh_grad);
    const double remembered =
        grasp_energy(hand, type, object, config, x, contacts, ws_near, near_terms, &near_grad, &near);
    ASSERT_EQ(fresh, remembered) << hand_name << " step " << t;
    for (int k = 0; k < EnergyTerms::kCount; ++k)
      ASSERT_EQ(fresh_terms.values[k], near_terms.values[k]) << EnergyTerms::names()[k] << " step " << t;
    ASSERT_EQ(fresh_grad.size(), near_grad.size());
    for (int i = 0; i < fresh_grad.size(); ++i) ASSERT_EQ(fresh_grad[i], near_grad[i]) << "x[" << i << "] step " << t;
    ++w.steps;
    w.steps_with_pen += fresh_terms.pen() > 0;
    w.steps_with_hpen += fresh_terms.hpen() > 0;
  }
  w.searches = near.searches;
  w.reuses = near.reuses;
  auto count = [&](const std::vector<int>& faces) {
    w.face_hints += std::count_if(faces.begin(), faces.end(), [](int f) { return f >= 0; });
  };
  count(near.contact_faces);
  for (const NearSets::Link& l : near.links) {
    count(l.object_sample_faces);
    count(l.hand_point_faces);
  }
}

TEST(NearSets, SameEnergyAndGradientAsAFreshSearchAllegro) {
  Walk w;
  walk_and_compare("allegro", "mug", 0.0005, 0.004, 1, w);
  if (HasFatalFailure()) return;
  EXPECT_GT(w.steps_with_pen, w.steps / 4) << "the walk must penetrate the object to test E_pen";
  EXPECT_GT(w.steps_with_hpen, w.steps / 4) << "the walk must penetrate the object to test E_hpen";
  EXPECT_GT(w.reuses, w.searches) << "small steps should mostly reuse the sets";
  EXPECT_GT(w.searches, 0);
  EXPECT_GT(w.face_hints, 12) << "the queries must have been warm-started from remembered faces";
}

TEST(NearSets, SameEnergyAndGradientWithStepsNearTheSlack) {
  // Steps of the order of the slack: many links are searched again, many are not, at every step.
  for (const char* hand : {"allegro", "shadow_hand", "robotiq2"}) {
    Walk w;
    walk_and_compare(hand, "banana", 0.0015, 0.003, 7, w);
    if (HasFatalFailure()) return;
    EXPECT_GT(w.steps_with_pen + w.steps_with_hpen, 0) << hand;
    EXPECT_GT(w.reuses, 0) << hand;
    EXPECT_GT(w.searches, 240) << hand;  // more than one link per step on average after the first
  }
}

TEST(NearSets, SlackOutsideItsRangeIsAProgrammerError) {
  const HandModel hand = load_hand("robotiq2");
  ObjectLoadOptions o;
  o.surface_samples = 200;
  const ObjectModel object = load_object(test::object_path("ycb/banana/textured.obj"), o);
  HandData data(hand);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(hand.state_size());
  x[3] = x[7] = 1;  // identity rotation
  forward_kinematics(hand, x, data);
  NearSets near;
  near.slack = 0.02;  // beyond the object's culling grid margin (1 cm)
  EXPECT_THROW(update_near_sets(hand, data, object, near), InternalError);
}

}  // namespace
}  // namespace graspqp
