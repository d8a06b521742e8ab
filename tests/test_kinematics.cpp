// Forward kinematics against MuJoCo (an independent URDF implementation) and the adjoint gradient
// against central finite differences, for every bundled hand.
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>
#include <tinyxml2.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "test_util.hpp"

namespace graspqp {
namespace {

const std::vector<std::string> kHands{"allegro", "shadow_hand", "ability_hand", "robotiq2", "robotiq3",
                                      "panda",   "schunk",      "leap",         "barrett"};

const HandModel& cached_hand(const std::string& name) {
  static std::map<std::string, std::unique_ptr<HandModel>> cache;
  auto& slot = cache[name];
  if (!slot) slot = std::make_unique<HandModel>(load_hand(name));
  return *slot;
}

Eigen::VectorXd random_joints(const HandModel& model, std::mt19937_64& rng) {
  Eigen::VectorXd q(model.dof());
  for (int i = 0; i < model.dof(); ++i) {
    std::uniform_real_distribution<double> u(model.joints[i].lower, model.joints[i].upper);
    q[i] = u(rng);
  }
  return q;
}

Eigen::VectorXd random_state(const HandModel& model, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  Eigen::VectorXd x(model.state_size());
  for (int i = 0; i < 9; ++i) x[i] = n(rng) * (i < 3 ? 0.1 : 1.0);
  x.tail(model.dof()) = random_joints(model, rng);
  return x;
}

// URDF text with geometry removed (kinematics only) and a MuJoCo compiler block that keeps every
// link as a body (fusestatic="false") and accepts massless links.
std::string kinematic_urdf_for_mujoco(const std::filesystem::path& urdf) {
  tinyxml2::XMLDocument doc;
  EXPECT_EQ(doc.LoadFile(urdf.c_str()), tinyxml2::XML_SUCCESS);
  auto* robot = doc.FirstChildElement("robot");
  for (auto* link = robot->FirstChildElement("link"); link; link = link->NextSiblingElement("link")) {
    for (const char* tag : {"visual", "collision", "inertial"})
      while (auto* e = link->FirstChildElement(tag)) link->DeleteChild(e);
  }
  // Drop non-kinematic blocks (transmissions, gazebo) that MuJoCo may not parse.
  for (const char* tag : {"transmission", "gazebo", "ros2_control"})
    while (auto* e = robot->FirstChildElement(tag)) robot->DeleteChild(e);
  auto* mj = doc.NewElement("mujoco");
  auto* compiler = doc.NewElement("compiler");
  compiler->SetAttribute("fusestatic", "false");
  compiler->SetAttribute("discardvisual", "true");
  compiler->SetAttribute("autolimits", "true");
  compiler->SetAttribute("boundmass", "0.001");
  compiler->SetAttribute("boundinertia", "0.000001");
  compiler->SetAttribute("angle", "radian");
  mj->InsertEndChild(compiler);
  robot->InsertFirstChild(mj);
  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return printer.CStr();
}

class FkAgainstMujoco : public ::testing::TestWithParam<std::string> {};

TEST_P(FkAgainstMujoco, LinkPosesMatch) {
  const HandModel& model = cached_hand(GetParam());
  const auto tmp = std::filesystem::temp_directory_path() / ("graspqp_mj_" + GetParam() + ".urdf");
  {
    std::ofstream out(tmp);
    out << kinematic_urdf_for_mujoco(model.urdf_path);
  }
  char error[1000] = "";
  mjModel* m = mj_loadXML(tmp.c_str(), nullptr, error, sizeof error);
  ASSERT_NE(m, nullptr) << "MuJoCo failed to load " << model.urdf_path << ": " << error;
  mjData* d = mj_makeData(m);
  std::mt19937_64 rng(7);
  HandData data(model);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::VectorXd q = random_joints(model, rng);
    forward_kinematics(model, make_state(Vec3::Zero(), Mat3::Identity(), q), data);
    mj_resetData(m, d);
    for (size_t l = 0; l < model.links.size(); ++l) {
      const LinkModel& link = model.links[l];
      if (link.joint_type == JointType::Fixed) continue;
      const int jid = mj_name2id(m, mjOBJ_JOINT, link.joint_name.c_str());
      ASSERT_GE(jid, 0) << "joint " << link.joint_name << " missing in MuJoCo";
      d->qpos[m->jnt_qposadr[jid]] = data.joint_value[l];
    }
    mj_kinematics(m, d);
    for (size_t l = 0; l < model.links.size(); ++l) {
      const int bid = mj_name2id(m, mjOBJ_BODY, model.links[l].name.c_str());
      ASSERT_GE(bid, 0) << "body " << model.links[l].name << " missing in MuJoCo";
      const Vec3 p(d->xpos[3 * bid], d->xpos[3 * bid + 1], d->xpos[3 * bid + 2]);
      Mat3 R;
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) R(r, c) = d->xmat[9 * bid + 3 * r + c];
      EXPECT_LT((p - data.position[l]).norm(), 1e-6) << model.links[l].name;
      const double angle = Eigen::AngleAxisd(R.transpose() * data.rotation[l]).angle();
      EXPECT_LT(angle, 1e-6) << model.links[l].name;
    }
  }
  mj_deleteData(d);
  mj_deleteModel(m);
  std::filesystem::remove(tmp);
}

INSTANTIATE_TEST_SUITE_P(AllHands, FkAgainstMujoco, ::testing::ValuesIn(kHands));

// A scalar test energy made of random linear functionals of attached points and normals, so every
// link and joint contributes: E = sum_i a_i . p_i + b_i . n_i + 0.5 |p_i|^2.
struct TestEnergy {
  std::vector<int> link;
  std::vector<Vec3> local_point, local_normal, a, b;
};

TestEnergy make_test_energy(const HandModel& model, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  TestEnergy e;
  for (size_t l = 0; l < model.links.size(); ++l)
    for (int k = 0; k < 2; ++k) {
      e.link.push_back(static_cast<int>(l));
      e.local_point.push_back(Vec3(n(rng), n(rng), n(rng)) * 0.05);
      e.local_normal.push_back(Vec3(n(rng), n(rng), n(rng)).normalized());
      e.a.push_back(Vec3(n(rng), n(rng), n(rng)));
      e.b.push_back(Vec3(n(rng), n(rng), n(rng)));
    }
  return e;
}

double evaluate(const HandModel& model, const TestEnergy& e, const Eigen::VectorXd& x, HandData& data,
                Eigen::VectorXd* grad) {
  forward_kinematics(model, x, data);
  clear_gradient(data);
  double E = 0;
  for (size_t i = 0; i < e.link.size(); ++i) {
    const Vec3 p = data.to_world(e.link[i], e.local_point[i]);
    const Vec3 n = data.dir_to_world(e.link[i], e.local_normal[i]);
    E += e.a[i].dot(p) + e.b[i].dot(n) + 0.5 * p.squaredNorm();
    add_point_gradient(data, e.link[i], p, e.a[i] + p);
    add_normal_gradient(data, e.link[i], n, e.b[i]);
  }
  if (grad) {
    grad->resize(model.state_size());
    backpropagate(model, data, *grad);
  }
  return E;
}

class AdjointGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(AdjointGradient, MatchesCentralDifferences) {
  const HandModel& model = cached_hand(GetParam());
  std::mt19937_64 rng(11);
  HandData data(model);
  for (int trial = 0; trial < 5; ++trial) {
    const TestEnergy e = make_test_energy(model, rng);
    const Eigen::VectorXd x = random_state(model, rng);
    Eigen::VectorXd g;
    evaluate(model, e, x, data, &g);
    const double h = 1e-6;
    for (int i = 0; i < model.state_size(); ++i) {
      Eigen::VectorXd xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      const double fd = (evaluate(model, e, xp, data, nullptr) - evaluate(model, e, xm, data, nullptr)) / (2 * h);
      const double scale = std::max({std::abs(fd), std::abs(g[i]), 1.0});
      EXPECT_LT(std::abs(fd - g[i]) / scale, 1e-5)
          << GetParam() << " state index " << i << " fd " << fd << " adjoint " << g[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllHands, AdjointGradient, ::testing::ValuesIn(kHands));

TEST(PointJacobian, MatchesFiniteDifferences) {
  const HandModel& model = cached_hand("shadow_hand");
  std::mt19937_64 rng(3);
  HandData data(model);
  const Eigen::VectorXd x = random_state(model, rng);
  forward_kinematics(model, x, data);
  const int link = model.link_index("robot0_ffdistal");
  ASSERT_GE(link, 0);
  const Vec3 local(0.01, 0.002, 0.02);
  const auto J = point_jacobian(model, data, link, data.to_world(link, local));
  for (int j = 0; j < model.dof(); ++j) {
    Eigen::VectorXd xp = x, xm = x;
    xp[9 + j] += 1e-6;
    xm[9 + j] -= 1e-6;
    forward_kinematics(model, xp, data);
    const Vec3 pp = data.to_world(link, local);
    forward_kinematics(model, xm, data);
    const Vec3 pm = data.to_world(link, local);
    EXPECT_LT(((pp - pm) / 2e-6 - J.col(j)).norm(), 1e-6) << j;
  }
}

TEST(Rotation6d, GramSchmidtIsProperRotation) {
  Eigen::VectorXd r6(6);
  r6 << 2, 0.1, 0, 0.3, 3, 0.2;
  const Mat3 R = rotation_from_6d(r6);
  EXPECT_LT((R.transpose() * R - Mat3::Identity()).norm(), 1e-12);
  EXPECT_NEAR(R.determinant(), 1.0, 1e-12);
  EXPECT_LT((R.col(0) - Vec3(2, 0.1, 0).normalized()).norm(), 1e-12);
}

TEST(Rotation6d, DegenerateInputThrows) {
  Eigen::VectorXd r6(6);
  r6 << 1, 0, 0, 2, 0, 0;
  EXPECT_THROW(rotation_from_6d(r6), Error);
}

TEST(Kinematics, CouplingsAreApplied) {
  const HandModel& ability = cached_hand("ability_hand");
  std::vector<double> values;
  Eigen::VectorXd q = ability.default_joints();
  q[0] = 0.5;
  coupled_joint_values(ability, q, values);
  const int l = ability.link_index("index_L2");
  ASSERT_GE(l, 0);
  EXPECT_NEAR(values[l], 1.05851325 * 0.5, 1e-12);
  const HandModel& schunk = cached_hand("schunk");
  EXPECT_EQ(schunk.dof(), 1);
  const HandModel& robotiq2 = cached_hand("robotiq2");
  EXPECT_EQ(robotiq2.dof(), 1);
  const HandModel& panda = cached_hand("panda");
  EXPECT_EQ(panda.dof(), 1);
}

TEST(Kinematics, WrongStateSizeAndNanThrow) {
  const HandModel& model = cached_hand("allegro");
  HandData data(model);
  EXPECT_THROW(forward_kinematics(model, Eigen::VectorXd::Zero(5), data), Error);
  Eigen::VectorXd x = make_state(Vec3::Zero(), Mat3::Identity(), model.default_joints());
  x[12] = std::nan("");
  EXPECT_THROW(forward_kinematics(model, x, data), Error);
}

}  // namespace
}  // namespace graspqp
