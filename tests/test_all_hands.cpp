// Smoke run of every bundled hand and grasp type: `generate_dataset` with 2 grasps and 40 iterations writes
// a valid grasp file, which the physics evaluation (`evaluate_grasps`) and the analytic metrics then read.
// The quality numbers of docs/results_hands.md come from full runs, not from these tests.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/metrics/analyze.hpp>
#include <graspqp/object/object_model.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

struct Config {
  std::string hand, type;
};

// Every hand with every grasp type it defines (checked against the files by AllHands.ListIsComplete).
const std::vector<Config>& configs() {
  static const std::vector<Config> c{
      {"allegro", "full"},          {"allegro", "precision"}, {"allegro", "pinch"},     {"shadow_hand", "full"},
      {"shadow_hand", "precision"}, {"shadow_hand", "pinch"}, {"ability_hand", "full"}, {"ability_hand", "precision"},
      {"ability_hand", "pinch"},    {"ability_hand", "tips"}, {"robotiq2", "full"},     {"robotiq3", "full"},
      {"robotiq3", "precision"},    {"robotiq3", "pinch"},    {"panda", "full"},        {"schunk", "full"},
      {"schunk", "pinch"},          {"leap", "full"},         {"leap", "precision"},    {"leap", "pinch"},
      {"barrett", "full"},          {"barrett", "precision"}, {"barrett", "pinch"}};
  return c;
}

fs::path out_root() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("graspqp_all_hands_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

TEST(AllHands, ListIsComplete) {
  std::set<std::pair<std::string, std::string>> listed, defined;
  for (const auto& c : configs()) listed.insert({c.hand, c.type});
  for (const auto& name : bundled_hand_names()) {
    const HandModel h = load_hand(name);
    EXPECT_FALSE(h.grasp_types.empty()) << name << " has no grasp types";
    for (const auto& g : h.grasp_types) defined.insert({name, g.name});
  }
  EXPECT_EQ(listed, defined);
}

void PrintTo(const Config& c, std::ostream* os) { *os << c.hand << "/" << c.type; }

class HandSmoke : public ::testing::TestWithParam<Config> {};

TEST_P(HandSmoke, GeneratesEvaluatesAndWritesValidFiles) {
  const Config& c = GetParam();
  const HandModel hand = load_hand(c.hand);
  const GraspType& gt = hand.grasp_type(c.type);

  GenerateOptions o;
  o.hand = c.hand;
  o.grasp_type = c.type;
  o.grasps = 2;
  o.contacts = std::min<int>(12, static_cast<int>(gt.candidates.size()));
  o.sampler.iterations = 40;
  o.sampler.reset_period = 20;
  o.surface_samples = 500;
  o.threads = 2;
  o.out = out_root() / (c.hand + "-" + c.type);
  const auto objects = name_objects({test::object_path("misc/apple.ply")});
  const auto reports = generate_dataset(o, objects);
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].status, "generated") << reports[0].error;

  const fs::path file = grasp_file_path(o, "apple");
  ASSERT_TRUE(fs::exists(file)) << file;
  EXPECT_TRUE(fs::exists(o.out / "summary.json"));
  const GraspDataset d = read_grasp_file(file);
  ASSERT_EQ(d.n_grasps(), 2);
  ASSERT_EQ(d.dof(), hand.dof());
  EXPECT_EQ(d.hand, hand.name);
  EXPECT_EQ(d.grasp_type, c.type);
  for (int j = 0; j < hand.dof(); ++j) EXPECT_EQ(d.joint_names[j], hand.joints[j].name);
  EXPECT_TRUE(d.root_pose.allFinite());
  EXPECT_TRUE(d.joints.allFinite());
  EXPECT_TRUE(d.energy.allFinite());
  for (int i = 0; i < d.n_grasps(); ++i) {
    EXPECT_NEAR(d.root_pose.row(i).tail<4>().norm(), 1.0, 1e-6);
    for (int k = 0; k < d.n_contacts(); ++k) {
      EXPECT_GE(d.contact_idx(i, k), 0);
      EXPECT_LT(d.contact_idx(i, k), static_cast<int>(gt.candidates.size()));
    }
  }
  std::set<std::string> type_links;
  for (const auto& cand : gt.candidates) type_links.insert(hand.links[cand.link].name);
  for (const auto& ln : d.contact_links) EXPECT_TRUE(type_links.count(ln)) << ln;

  // Analytic metrics read the file back.
  const auto analysis = analyze_grasp_file(file, {});
  EXPECT_EQ(analysis["per_grasp"].size(), 2u);
  EXPECT_EQ(analysis["summary"]["grasps"].get<size_t>(), 2u);

  // Physics evaluation of the same file.
  const ObjectModel object = load_object(d.object_path, ObjectLoadOptions{d.scale, 500, 0});
  EvalOptions e;
  e.threads = 2;
  e.scene.cache_dir = fs::temp_directory_path() / "graspqp_test_hand_parts_cache";
  const auto results = evaluate_grasps(hand, object, d, e);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(std::isfinite(r.penetration_depth));
    EXPECT_TRUE(std::isfinite(r.contact_distance_mean));
    EXPECT_TRUE(std::isfinite(r.max_translation));
  }
}

// Removes the outputs at the end of the run.
class Cleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(out_root(), ec);
  }
};
const auto* const cleanup = ::testing::AddGlobalTestEnvironment(new Cleanup);

INSTANTIATE_TEST_SUITE_P(EveryHandAndType, HandSmoke, ::testing::ValuesIn(configs()),
                         [](const auto& info) { return info.param.hand + "_" + info.param.type; });

}  // namespace
}  // namespace graspqp
