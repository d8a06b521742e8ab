// Generated Allegro grasps on the apple, evaluated in MuJoCo under the graspqp protocol: the evaluator
// agrees with itself (deterministic, whatever the thread count) and with the analytic metrics in
// direction (grasps with Q1 > 0 and low penetration succeed more often than the others, as rates).
#include <graspqp/dataset/generate.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <iostream>

#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace graspqp;

namespace {

// Generation and a first evaluation, shared by the checks below.
struct AppleRun {
  fs::path dir;
  HandModel hand;
  ObjectModel object;
  std::vector<GraspDataset> sets;  // one per optimisation budget
  std::vector<std::vector<GraspEvalResult>> results;
  EvalOptions options;

  AppleRun() {
    dir = fs::temp_directory_path() / ("graspqp_test_sim_apple_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const fs::path apple = test::object_path("misc/apple.ply");
    // A converged population and a barely optimised one, so that both analytic groups are populated.
    for (int iterations : {2000, 100}) {
      GenerateOptions g;
      g.hand = "allegro";
      g.grasp_type = "full";
      g.grasps = 24;
      g.seed = 7;
      g.threads = 2;
      g.sampler.iterations = iterations;
      g.out = dir / ("it" + std::to_string(iterations));
      const auto objects = name_objects({apple});
      generate_dataset(g, objects);
      sets.push_back(read_grasp_file(grasp_file_path(g, objects[0].name)));
    }
    hand = load_hand("allegro");
    ObjectLoadOptions lo;
    lo.scale = sets[0].scale;
    lo.surface_samples = 200;
    object = load_object(apple, lo);
    options.protocol = make_protocol("graspqp");
    options.threads = 2;
    options.scene.cache_dir = dir / "cache";
    for (const auto& d : sets) results.push_back(evaluate_grasps(hand, object, d, options));
  }
  ~AppleRun() { fs::remove_all(dir); }
};

AppleRun& run() {
  static AppleRun r;
  return r;
}

}  // namespace

// One test (ctest runs every test in its own process, and the generation dominates the cost).
TEST(SimApple, DeterministicAndAgreesWithAnalyticMetrics) {
  AppleRun& r = run();
  EvalOptions o = r.options;
  const auto again = evaluate_grasps(r.hand, r.object, r.sets[0], o);
  // One thread, on the first 8 grasps (the results do not depend on the batch either).
  GraspDataset head = r.sets[0];
  const int n = 8;
  head.root_pose.conservativeResize(n, 7);
  head.joints.conservativeResize(n, head.joints.cols());
  head.closing_delta.conservativeResize(n, head.closing_delta.cols());
  head.contact_idx.conservativeResize(n, head.contact_idx.cols());
  head.energy.conservativeResize(n);
  o.threads = 1;
  const auto single = evaluate_grasps(r.hand, r.object, head, o);
  ASSERT_EQ(again.size(), r.results[0].size());
  for (size_t i = 0; i < again.size(); ++i) {
    const auto& a = r.results[0][i];
    EXPECT_EQ(a.success, again[i].success) << i;
    EXPECT_EQ(a.max_translation, again[i].max_translation) << i;  // bit-identical
    EXPECT_EQ(a.settle_translation, again[i].settle_translation) << i;
    EXPECT_EQ(a.q1, again[i].q1) << i;
    if (static_cast<int>(i) < n) {
      EXPECT_EQ(a.success, single[i].success) << i;
      EXPECT_EQ(a.max_translation, single[i].max_translation) << i;
      EXPECT_EQ(a.max_rotation_deg, single[i].max_rotation_deg) << i;
    }
  }

  // Direction: rates of the analytic groups.
  int good = 0, good_ok = 0, other = 0, other_ok = 0;
  std::vector<double> budget_rate;
  for (size_t s = 0; s < r.sets.size(); ++s) {
    int ok = 0;
    for (const auto& g : r.results[s]) {
      ASSERT_TRUE(g.error.empty()) << g.error;
      ASSERT_TRUE(std::isfinite(g.q1) && std::isfinite(g.penetration_depth));
      const bool analytic_good = g.q1 > 0 && g.penetration_depth < 0.002;
      (analytic_good ? good : other) += 1;
      (analytic_good ? good_ok : other_ok) += g.success;
      ok += g.success;
    }
    budget_rate.push_back(static_cast<double>(ok) / r.results[s].size());
  }
  const double good_rate = good ? static_cast<double>(good_ok) / good : 0;
  const double other_rate = other ? static_cast<double>(other_ok) / other : 0;
  std::cout << "[apple] Q1>0 & pen<2mm: " << good_ok << "/" << good << " succeed, others: " << other_ok << "/" << other
            << "; success by budget (2000, 100 iterations): " << budget_rate[0] << ", " << budget_rate[1] << "\n";
  // Both groups must be populated for the rates to mean something.
  ASSERT_GE(good, 6);
  ASSERT_GE(other, 6);
  EXPECT_GT(good_rate, other_rate);
  // Optimised grasps hold more often than barely optimised ones.
  EXPECT_GT(budget_rate[0], budget_rate[1]);
  // Some grasps must hold at all: an evaluator that fails everything agrees with nothing.
  EXPECT_GT(budget_rate[0], 0.2);
}
