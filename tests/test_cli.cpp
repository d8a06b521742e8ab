// The command-line program end to end: outputs parse and agree with the library, bad input fails cleanly.
#include <graspqp/hand/kinematics.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

using nlohmann::json;
using test::cli_path;
using test::run_command;

TEST(Cli, Version) {
  std::string out;
  EXPECT_EQ(run_command(cli_path() + " --version", &out), 0);
  EXPECT_NE(out.find("graspqp"), std::string::npos);
}

TEST(Cli, HandsTableListsEveryHand) {
  std::string out;
  ASSERT_EQ(run_command(cli_path() + " hands", &out), 0);
  for (const char* h :
       {"allegro", "shadow_hand", "ability_hand", "robotiq2", "robotiq3", "panda", "schunk", "leap", "barrett"})
    EXPECT_NE(out.find(h), std::string::npos) << h;
}

TEST(Cli, HandJson) {
  std::string out;
  ASSERT_EQ(run_command(cli_path() + " hands --hand allegro --json", &out), 0);
  const json j = json::parse(out);
  EXPECT_EQ(j["name"], "allegro");
  EXPECT_EQ(j["dof"], 16);
  EXPECT_EQ(j["joints"].size(), 16u);
  EXPECT_EQ(j["joints"][0]["name"], "index_joint_0");
  EXPECT_EQ(j["grasp_types"]["full"], 92);
  EXPECT_EQ(j["grasp_types"]["pinch"], 16);
  EXPECT_TRUE(j["links"].is_array());
}

TEST(Cli, ForwardKinematicsMatchesLibrary) {
  const HandModel model = load_hand("ability_hand");
  std::string out;
  ASSERT_EQ(
      run_command(cli_path() + " fk --hand ability_hand --joints 0.5,0.4,0.3,0.2,1.0,0.3 --pose 0.1,0.2,0.3,2,0,0,0",
                  &out),
      0);
  const json j = json::parse(out);
  // Every non-fixed URDF joint, mimic-driven ones included.
  EXPECT_EQ(j["joints"].size(), 10u);
  EXPECT_NEAR(j["joints"]["index_q2"].get<double>(), 0.5 * 1.05851325, 1e-12);
  EXPECT_EQ(j["links"].size(), model.links.size());
  EXPECT_EQ(j["contacts"].size(), 64u);
  // Pose applied: a non-unit quaternion (2,0,0,0) is the identity rotation, translation added.
  HandData data(model);
  Eigen::VectorXd q(6);
  q << 0.5, 0.4, 0.3, 0.2, 1.0, 0.3;
  forward_kinematics(model, make_state(Vec3(0.1, 0.2, 0.3), Mat3::Identity(), q), data);
  const int l = model.link_index("thumb_L2");
  const auto p = j["links"]["thumb_L2"]["position"];
  EXPECT_NEAR(p[0].get<double>(), data.position[l].x(), 1e-12);
  EXPECT_NEAR(p[2].get<double>(), data.position[l].z(), 1e-12);
  const auto c0 = j["contacts"][0];
  EXPECT_EQ(c0["link"], "index_L1");
}

TEST(Cli, ForwardKinematicsGraspType) {
  std::string out;
  ASSERT_EQ(run_command(cli_path() + " fk --hand allegro --grasp-type pinch", &out), 0);
  EXPECT_EQ(json::parse(out)["contacts"].size(), 16u);
}

TEST(Cli, SignedDistanceFromStdin) {
  // Points inside and outside the apple: the sign flips and the normal is unit.
  std::string out;
  const std::string obj = test::object_path("misc/apple.ply").string();
  ASSERT_EQ(run_command("printf '0 0.04 0\\n1 1 1\\n' | " + cli_path() + " sdf --object " + obj, &out), 0);
  std::istringstream in(out);
  double d[2][7];
  for (auto& row : d)
    for (double& v : row) ASSERT_TRUE(in >> v);
  EXPECT_LT(d[0][0] * d[1][0], 0.0);  // one inside, one outside
  EXPECT_GT(d[1][0], 1.0);
  EXPECT_NEAR(Vec3(d[1][1], d[1][2], d[1][3]).norm(), 1.0, 1e-6);
}

struct ErrorCase {
  std::string name, args, expected;
  friend void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }
};

class CliErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CliErrors, OneLineMessageAndNonZeroExit) {
  std::string out, err;
  const int rc = run_command(cli_path() + " " + GetParam().args, &out, &err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find(GetParam().expected), std::string::npos) << err;
  // One line (CLI11 usage errors print more; ours print exactly one).
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliErrors,
    ::testing::Values(ErrorCase{"UnknownHand", "fk --hand nohand", "unknown hand 'nohand'"},
                      ErrorCase{"WrongJointCount", "fk --hand panda --joints 0.1,0.2", "1 actuated joints"},
                      ErrorCase{"NanJoint", "fk --hand panda --joints nan", "not a finite number"},
                      ErrorCase{"BadPose", "fk --hand panda --pose 1,2,3", "expected 7 values"},
                      ErrorCase{"UnknownGraspType", "fk --hand panda --grasp-type pinch", "unknown grasp type"},
                      ErrorCase{"MissingMesh", "sdf --object /nonexistent/mesh.obj < /dev/null",
                                "/nonexistent/mesh.obj"},
                      ErrorCase{"BadSdfLine",
                                "sdf --object " + test::object_path("misc/apple.ply").string() + " < " +
                                    test::object_path("misc/apple.ply").string(),
                                "stdin line 1"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace graspqp
