// Hand loading: joints, couplings, contact candidates, spheres, and the error paths of bad input.
#include <graspqp/error.hpp>
#include <graspqp/hand/hand_model.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

const HandModel& cached_hand(const std::string& name) {
  static std::map<std::string, std::unique_ptr<HandModel>> cache;
  auto& slot = cache[name];
  if (!slot) slot = std::make_unique<HandModel>(load_hand(name));
  return *slot;
}

struct CountCase {
  std::string hand;
  std::map<std::string, size_t> counts;
  friend void PrintTo(const CountCase& c, std::ostream* os) { *os << c.hand; }
};

class CandidateCounts : public ::testing::TestWithParam<CountCase> {};

TEST_P(CandidateCounts, MatchTheReference) {
  const auto& c = GetParam();
  const HandModel& model = cached_hand(c.hand);
  for (const auto& [type, n] : c.counts) {
    ASSERT_TRUE(model.has_grasp_type(type)) << c.hand << " " << type;
    EXPECT_EQ(model.grasp_type(type).candidates.size(), n) << c.hand << " " << type;
  }
}

INSTANTIATE_TEST_SUITE_P(Hands, CandidateCounts,
                         ::testing::Values(CountCase{"allegro", {{"full", 92}, {"precision", 24}, {"pinch", 16}}},
                                           CountCase{"shadow_hand", {{"full", 80}, {"precision", 24}, {"pinch", 32}}},
                                           CountCase{"ability_hand", {{"full", 64}}},
                                           CountCase{"panda", {{"full", 16}}}, CountCase{"robotiq2", {{"full", 32}}},
                                           CountCase{"robotiq3", {{"full", 48}, {"precision", 24}, {"pinch", 16}}},
                                           CountCase{"schunk", {{"full", 16}, {"pinch", 16}}}),
                         [](const auto& info) { return info.param.hand; });

class CandidateGeometry : public ::testing::TestWithParam<std::string> {};

TEST_P(CandidateGeometry, OnTheLinkSurfaceWithOutwardNormals) {
  const HandModel& model = cached_hand(GetParam());
  for (const auto& type : model.grasp_types) {
    for (const auto& c : type.candidates) {
      const auto& link = model.links[c.link];
      ASSERT_TRUE(link.collision_sdf);
      const SdfResult r = link.collision_sdf->query(c.position);
      EXPECT_LT(std::abs(r.distance), 1e-3) << GetParam() << " " << type.name << " link " << link.name;
      EXPECT_NEAR(c.normal.norm(), 1.0, 1e-9);
      // Outward: stepping along the normal leaves the link.
      const double out = link.collision_sdf->query(c.position + 2e-3 * c.normal).distance;
      const double in = link.collision_sdf->query(c.position - 2e-3 * c.normal).distance;
      EXPECT_GT(out, in) << GetParam() << " link " << link.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Hands, CandidateGeometry,
                         ::testing::Values("allegro", "shadow_hand", "ability_hand", "panda", "robotiq2", "robotiq3",
                                           "schunk"));

TEST(HandModel, CandidatesAreDeterministic) {
  const HandModel a = load_hand("allegro");
  const HandModel b = load_hand("allegro");
  const auto& ca = a.grasp_type("full").candidates;
  const auto& cb = b.grasp_type("full").candidates;
  ASSERT_EQ(ca.size(), cb.size());
  for (size_t i = 0; i < ca.size(); ++i) EXPECT_EQ(ca[i].position, cb[i].position);
  HandLoadOptions other;
  other.candidate_seed = 7;
  const HandModel c = load_hand("allegro", other);
  double diff = 0;
  for (size_t i = 0; i < ca.size(); ++i) diff += (ca[i].position - c.grasp_type("full").candidates[i].position).norm();
  EXPECT_GT(diff, 0.0);
}

TEST(HandModel, JointOrderAndLimitsOfAllegro) {
  const HandModel& m = cached_hand("allegro");
  ASSERT_EQ(m.dof(), 16);
  EXPECT_EQ(m.joints[0].name, "index_joint_0");
  EXPECT_EQ(m.joints[4].name, "middle_joint_0");
  EXPECT_EQ(m.joints[12].name, "thumb_joint_0");
  EXPECT_NEAR(m.joints[12].lower, 0.2792, 1e-4);
  EXPECT_NEAR(m.default_joints()[12], 1.0, 1e-12);
  // Index ranges of the reference (§7.3): palm 0-3, then index_link_1.
  const auto& full = m.grasp_type("full").candidates;
  EXPECT_EQ(m.links[full[0].link].name, "palm_link");
  EXPECT_EQ(m.links[full[4].link].name, "index_link_1");
  EXPECT_EQ(m.links[full[91].link].name, "thumb_link_3");
}

TEST(HandModel, SpheresOnKnownLinks) {
  EXPECT_EQ(cached_hand("allegro").spheres.size(), 25u);
  EXPECT_EQ(cached_hand("shadow_hand").spheres.size(), 22u);  // thhub has no geometry (reference §7.1)
  EXPECT_EQ(cached_hand("robotiq3").spheres.size(), 12u);
  for (const char* h : {"allegro", "shadow_hand", "robotiq2", "robotiq3", "schunk", "panda"})
    for (const auto& s : cached_hand(h).spheres) {
      EXPECT_GT(s.radius, 0) << h;
      EXPECT_TRUE(cached_hand(h).links.at(s.link).collision_sdf) << h;
    }
}

TEST(HandModel, AbilityCouplingAndDefaults) {
  const HandModel& m = cached_hand("ability_hand");
  ASSERT_EQ(m.dof(), 6);
  EXPECT_EQ(m.joints[2].name, "pinky_q1");
  EXPECT_NEAR(m.default_joints()[5], m.joints[5].lower, 1e-12);  // 0.0 clamped to the lower limit
  const auto& link = m.links[m.link_index("index_L2")];
  EXPECT_EQ(link.actuated, 0);
  EXPECT_NEAR(link.multiplier, 1.05851325, 1e-12);
}

TEST(HandModel, LeapAndBarrettLoad) {
  EXPECT_EQ(cached_hand("leap").dof(), 16);
  EXPECT_EQ(cached_hand("barrett").dof(), 8);
}

// ---- Error paths: a broken copy of a hand folder per case.
class BrokenHand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("graspqp_broken_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(test::hand_dir("panda"), dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void replace_in(const std::string& file, const std::string& from, const std::string& to) {
    std::ifstream in(dir_ / file);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    auto pos = s.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
    std::ofstream(dir_ / file) << s;
  }
  std::string load_error() {
    try {
      load_hand(dir_.string());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(BrokenHand, LoadsWhenIntact) { EXPECT_EQ(load_error(), ""); }

TEST_F(BrokenHand, MissingCollisionMeshNamesTheFile) {
  fs::remove(dir_ / "meshes" / "panda_finger.obj");
  const std::string e = load_error();
  EXPECT_NE(e.find("panda_finger.obj"), std::string::npos) << e;
}

TEST_F(BrokenHand, MalformedUrdf) {
  replace_in("franka_panda.urdf", "</robot>", "");
  const std::string e = load_error();
  EXPECT_NE(e.find("franka_panda.urdf"), std::string::npos) << e;
  EXPECT_NE(e.find("malformed"), std::string::npos) << e;
}

TEST_F(BrokenHand, BadNumberInUrdf) {
  replace_in("franka_panda.urdf", "xyz=\"0. 0. 0.0584\"", "xyz=\"0. nope 0.0584\"");
  EXPECT_NE(load_error().find("malformed number"), std::string::npos);
}

TEST_F(BrokenHand, MalformedMesh) {
  std::ofstream(dir_ / "meshes" / "panda_finger.obj") << "v 1 2\nf 1 2 3 garbage\n";
  const std::string e = load_error();
  EXPECT_NE(e.find("panda_finger.obj"), std::string::npos) << e;
}

TEST_F(BrokenHand, MissingHandJson) {
  fs::remove(dir_ / "hand.json");
  EXPECT_NE(load_error().find("unknown hand"), std::string::npos);
}

TEST_F(BrokenHand, MalformedHandJson) {
  std::ofstream(dir_ / "hand.json") << "{ \"urdf\": ";
  const std::string e = load_error();
  EXPECT_NE(e.find("hand.json"), std::string::npos) << e;
}

TEST_F(BrokenHand, UnknownLinkInContacts) {
  replace_in("contact_points.json", "panda_rightfinger", "no_such_link");
  EXPECT_NE(load_error().find("no_such_link"), std::string::npos);
}

TEST(HandModel, UnknownHandName) {
  try {
    load_hand("no_such_hand");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_hand"), std::string::npos);
  }
}

TEST(HandModel, UnknownGraspType) { EXPECT_THROW(cached_hand("allegro").grasp_type("tips"), Error); }

}  // namespace
}  // namespace graspqp
