// Diversity metrics: joint entropy, unique grasp counts, PCA explained variance.
#include <graspqp/error.hpp>
#include <graspqp/metrics/diversity.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <set>

namespace graspqp {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

double histogram_entropy(const std::vector<double>& values, double lower, double upper, int bins) {
  if (bins < 1) throw Error("histogram_entropy: bins must be >= 1");
  if (values.empty()) return 0;
  std::vector<long> count(bins, 0);
  const double width = upper - lower;
  for (double v : values) {
    // Values outside the limits go to the edge bins (clamped as doubles: a far value must not overflow int).
    int b = 0;
    if (width > 0 && std::isfinite(v))
      b = static_cast<int>(std::clamp(std::floor((v - lower) / width * bins), 0.0, static_cast<double>(bins - 1)));
    ++count[b];
  }
  double h = 0;
  const double n = static_cast<double>(values.size());
  for (long c : count)
    if (c > 0) {
      const double p = c / n;
      h -= p * std::log(p);
    }
  return h;
}

double joint_entropy(const Eigen::MatrixXd& joints, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                     int bins) {
  if (joints.rows() == 0 || joints.cols() == 0) return 0;
  if (lower.size() != joints.cols() || upper.size() != joints.cols())
    throw Error("joint_entropy: limits do not match the number of joints");
  double sum = 0;
  for (int j = 0; j < joints.cols(); ++j) {
    std::vector<double> v(joints.rows());
    for (int i = 0; i < joints.rows(); ++i) v[i] = joints(i, j);
    sum += histogram_entropy(v, lower[j], upper[j], bins);
  }
  return sum / joints.cols();
}

std::vector<UniqueGraspLevel> reference_unique_levels() {
  return {{"20cm_45deg_0.5rad", 0.20, 45.0, 0.5},
          {"2cm_5deg_0.2rad", 0.02, 5.0, 0.2},
          {"1cm_2.5deg_0.1rad", 0.01, 2.5, 0.1}};
}

Eigen::Vector3d euler_xyz(const Eigen::Vector4d& q) {
  const Eigen::Matrix3d R = Eigen::Quaterniond(q[0], q[1], q[2], q[3]).normalized().toRotationMatrix();
  const double b = std::asin(std::clamp(-R(2, 0), -1.0, 1.0));
  double a, c;
  if (std::abs(R(2, 0)) < 1 - 1e-12) {
    a = std::atan2(R(2, 1), R(2, 2));
    c = std::atan2(R(1, 0), R(0, 0));
  } else {  // gimbal lock: put everything in a
    a = std::atan2(-R(1, 2), R(1, 1));
    c = 0;
  }
  return {a, b, c};
}

int count_unique_grasps(const Eigen::MatrixXd& root_pose, const Eigen::MatrixXd& joints, const UniqueGraspLevel& level,
                        UniqueMode mode) {
  if (root_pose.rows() != joints.rows() || (root_pose.rows() > 0 && root_pose.cols() != 7))
    throw Error("count_unique_grasps: root_pose must be N x 7 and joints N x DOF");
  double qpos = level.position, qjoint = level.joint, qrot = level.rotation_deg * kPi / 180.0;
  if (mode == UniqueMode::Reference) {
    // graspqp_isaaclab/utils/eval.py: calc_unique_grasps(joints, poses, limits_joints, limits_pos, limits_deg)
    // is called with (pos, joint, deg) in that order, and degrees are converted with * 180 / pi.
    qpos = level.joint;
    qjoint = level.position;
    qrot = level.rotation_deg * 180.0 / kPi;
  }
  if (!(qpos > 0) || !(qjoint > 0) || !(qrot > 0)) throw Error("count_unique_grasps: quanta must be > 0");
  std::set<std::vector<long long>> seen;
  for (int i = 0; i < root_pose.rows(); ++i) {
    std::vector<long long> key;
    key.reserve(6 + joints.cols());
    auto put = [&](double v, double q) {  // clamped as doubles: a far value must not overflow the bin index
      const double bin = std::nearbyint(v / q);
      key.push_back(std::isfinite(bin) ? static_cast<long long>(std::clamp(bin, -1e18, 1e18)) : 0);
    };
    for (int k = 0; k < 3; ++k) put(root_pose(i, k), qpos);
    const Eigen::Vector3d e = euler_xyz(root_pose.row(i).segment<4>(3).transpose());
    for (int k = 0; k < 3; ++k) put(e[k], qrot);
    for (int j = 0; j < joints.cols(); ++j) put(joints(i, j), qjoint);
    seen.insert(std::move(key));
  }
  return static_cast<int>(seen.size());
}

Eigen::MatrixXd pca_features(const Eigen::MatrixXd& root_pose, const Eigen::MatrixXd& joints) {
  if (root_pose.rows() != joints.rows()) throw Error("pca_features: root_pose and joints differ in rows");
  Eigen::MatrixXd f(root_pose.rows(), 6 + joints.cols());
  for (int i = 0; i < root_pose.rows(); ++i) {
    Eigen::Quaterniond q(root_pose(i, 3), root_pose(i, 4), root_pose(i, 5), root_pose(i, 6));
    q.normalize();
    const Eigen::AngleAxisd aa(q);
    f.row(i).head<3>() = root_pose.row(i).head<3>();
    f.row(i).segment<3>(3) = (aa.angle() * aa.axis()).transpose();
    f.row(i).tail(joints.cols()) = joints.row(i);
  }
  return f;
}

std::vector<double> pca_explained_variance(const Eigen::MatrixXd& features, int components) {
  std::vector<double> out(std::max(0, components), 0.0);
  if (features.rows() < 2 || features.cols() == 0) return out;
  const Eigen::RowVectorXd mean = features.colwise().mean();
  const Eigen::MatrixXd X = features.rowwise() - mean;
  const Eigen::MatrixXd C = X.transpose() * X / static_cast<double>(features.rows() - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C);
  Eigen::VectorXd ev = es.eigenvalues().cwiseMax(0.0).reverse();  // descending
  const double total = ev.sum();
  if (!(total > 0)) return out;
  double cum = 0;
  for (int k = 0; k < components; ++k) {
    if (k < ev.size()) cum += ev[k];
    out[k] = cum / total;
  }
  return out;
}

}  // namespace graspqp
