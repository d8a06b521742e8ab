// Diversity metrics: joint entropy, unique grasp counts (correct and reference-compatible), PCA.
#include <graspqp/metrics/diversity.hpp>

#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <cmath>

using namespace graspqp;

namespace {

Eigen::Matrix<double, 1, 7> pose(double x, double y, double z,
                                 const Eigen::Quaterniond& q = Eigen::Quaterniond::Identity()) {
  Eigen::Matrix<double, 1, 7> p;
  p << x, y, z, q.w(), q.x(), q.y(), q.z();
  return p;
}

Eigen::Quaterniond about_z(double deg) {
  return Eigen::Quaterniond(Eigen::AngleAxisd(deg * M_PI / 180, Eigen::Vector3d::UnitZ()));
}

}  // namespace

TEST(Diversity, EntropyOfUniformAndConstantData) {
  std::vector<double> uniform;
  for (int i = 0; i < 3200; ++i) uniform.push_back((i + 0.5) / 3200.0);  // 100 per bin
  EXPECT_NEAR(histogram_entropy(uniform, 0, 1, 32), std::log(32.0), 1e-12);
  EXPECT_DOUBLE_EQ(histogram_entropy(std::vector<double>(50, 0.3), 0, 1, 32), 0.0);
  // Two equally filled bins: ln 2. Values outside the range fall into the edge bins.
  EXPECT_NEAR(histogram_entropy({-5, 0.01, 0.99, 7}, 0, 1, 32), std::log(2.0), 1e-12);
  EXPECT_DOUBLE_EQ(histogram_entropy({}, 0, 1, 32), 0.0);
  // Joint entropy averages over joints: one uniform joint and one constant joint give ln(32) / 2.
  Eigen::MatrixXd q(3200, 2);
  for (int i = 0; i < 3200; ++i) q.row(i) << -1 + 2 * uniform[i], 0.25;
  EXPECT_NEAR(joint_entropy(q, Eigen::Vector2d(-1, 0), Eigen::Vector2d(1, 1), 32), std::log(32.0) / 2, 1e-12);
  // The maximum is ln(bins): the paper's H = 3.5-3.6 exceeds ln 32 = 3.466.
  EXPECT_LT(std::log(32.0), 3.5);
}

TEST(Diversity, UniqueGraspsWithKnownAnswers) {
  const auto levels = reference_unique_levels();
  ASSERT_EQ(levels.size(), 3u);
  const UniqueGraspLevel& mid = levels[1];  // 2 cm, 5 deg, 0.2 rad
  EXPECT_DOUBLE_EQ(mid.position, 0.02);
  EXPECT_DOUBLE_EQ(mid.rotation_deg, 5);
  EXPECT_DOUBLE_EQ(mid.joint, 0.2);
  // Five grasps: #1 differs from #0 by 3 mm (same bin), #2 by 5 cm, #3 by a 20 deg yaw, #4 by 0.5 rad in a joint.
  Eigen::MatrixXd P(5, 7), Q(5, 2);
  P.row(0) = pose(0.001, 0, 0);
  P.row(1) = pose(0.004, 0, 0);
  P.row(2) = pose(0.051, 0, 0);
  P.row(3) = pose(0.001, 0, 0, about_z(20));
  P.row(4) = pose(0.001, 0, 0);
  Q << 0.05, 0.0, 0.05, 0.0, 0.05, 0.0, 0.05, 0.0, 0.55, 0.0;
  EXPECT_EQ(count_unique_grasps(P, Q, mid, UniqueMode::Correct), 4);
  // The coarse level (20 cm, 45 deg, 0.5 rad): 5 cm and 20 deg fall into the same bins, 0.5 rad does not.
  EXPECT_EQ(count_unique_grasps(P, Q, levels[0], UniqueMode::Correct), 2);
  // Reference-compatible mode: positions binned at 0.2 m (the joint quantum), joints at 0.02 rad (the
  // position quantum), orientation at 5 * 180 / pi rad (ignored): only the joint change is seen, and a
  // 0.03 rad joint difference, one bin in that mode, also counts.
  EXPECT_EQ(count_unique_grasps(P, Q, mid, UniqueMode::Reference), 2);
  Eigen::MatrixXd Q2 = Q;
  Q2(1, 1) = 0.03;
  EXPECT_EQ(count_unique_grasps(P, Q2, mid, UniqueMode::Reference), 3);
  EXPECT_EQ(count_unique_grasps(P, Q2, mid, UniqueMode::Correct), 4);  // 0.03 rad < 0.1 rad: same bin
  // A yaw of 170 deg vs 0: seen by the correct mode, not by the reference mode.
  Eigen::MatrixXd R(2, 7), J = Eigen::MatrixXd::Zero(2, 1);
  R.row(0) = pose(0, 0, 0);
  R.row(1) = pose(0, 0, 0, about_z(170));
  EXPECT_EQ(count_unique_grasps(R, J, mid, UniqueMode::Correct), 2);
  EXPECT_EQ(count_unique_grasps(R, J, mid, UniqueMode::Reference), 1);
  // Empty input.
  EXPECT_EQ(count_unique_grasps(Eigen::MatrixXd(0, 7), Eigen::MatrixXd(0, 2), mid), 0);
}

TEST(Diversity, EulerXyz) {
  const Eigen::Vector3d e(0.3, -0.4, 1.2);
  const Eigen::Matrix3d R =
      (Eigen::AngleAxisd(e.z(), Eigen::Vector3d::UnitZ()) * Eigen::AngleAxisd(e.y(), Eigen::Vector3d::UnitY()) *
       Eigen::AngleAxisd(e.x(), Eigen::Vector3d::UnitX()))
          .toRotationMatrix();
  const Eigen::Quaterniond q(R);
  EXPECT_NEAR((euler_xyz(Eigen::Vector4d(q.w(), q.x(), q.y(), q.z())) - e).norm(), 0, 1e-12);
}

TEST(Diversity, PcaExplainedVariance) {
  // Points on a line: the first component explains everything.
  Eigen::MatrixXd line(10, 3);
  for (int i = 0; i < 10; ++i) line.row(i) << i, 2 * i, -i;
  const auto a = pca_explained_variance(line, 3);
  EXPECT_NEAR(a[0], 1.0, 1e-12);
  EXPECT_NEAR(a[2], 1.0, 1e-12);
  // Isotropic +-1 cube corners in 3-D: each component explains a third.
  Eigen::MatrixXd cube(8, 3);
  for (int i = 0; i < 8; ++i) cube.row(i) << (i & 1 ? 1 : -1), (i & 2 ? 1 : -1), (i & 4 ? 1 : -1);
  const auto b = pca_explained_variance(cube, 5);
  EXPECT_NEAR(b[0], 1.0 / 3, 1e-12);
  EXPECT_NEAR(b[1], 2.0 / 3, 1e-12);
  EXPECT_NEAR(b[4], 1.0, 1e-12);
  // Features: translation, rotation vector, joints.
  Eigen::MatrixXd P(1, 7), Q(1, 2);
  P.row(0) = pose(1, 2, 3, about_z(90));
  Q << 0.5, 0.6;
  const Eigen::MatrixXd f = pca_features(P, Q);
  ASSERT_EQ(f.cols(), 8);
  EXPECT_NEAR(f(0, 5), M_PI / 2, 1e-12);
  EXPECT_NEAR(f(0, 7), 0.6, 1e-12);
  EXPECT_EQ(pca_explained_variance(f, 5), std::vector<double>(5, 0.0));  // one row: undefined -> zeros
}
