#pragma once
// Diversity metrics of grasp sets (docs/evaluation.md): joint-angle entropy H (GraspQP), unique grasp
// counts at three quantisation levels (GraspQP's UGR, correct and reference-compatible), PCA explained
// variance (DexGraspBench).
#include <Eigen/Core>

#include <string>
#include <vector>

namespace graspqp {

// Entropy (natural log) of a histogram of `values` with `bins` equal bins on [lower, upper]; values outside
// the range are clamped into the first / last bin. 0 for fewer than one value. Maximum: ln(bins).
double histogram_entropy(const std::vector<double>& values, double lower, double upper, int bins = 32);

// GraspQP's H: mean over joints (columns of `joints`, one grasp per row) of histogram_entropy on the
// joint's range. Returns 0 for an empty set.
double joint_entropy(const Eigen::MatrixXd& joints, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                     int bins = 32);

struct UniqueGraspLevel {
  std::string name;         // e.g. "2cm_5deg_0.2rad"
  double position = 0.02;   // [m] wrist position quantum
  double rotation_deg = 5;  // [deg] wrist orientation quantum (on Euler angles)
  double joint = 0.2;       // [rad or m] joint quantum
};
// The reference's three levels: (20 cm, 45 deg, 0.5 rad), (2 cm, 5 deg, 0.2 rad), (1 cm, 2.5 deg, 0.1 rad).
std::vector<UniqueGraspLevel> reference_unique_levels();

enum class UniqueMode {
  Correct,    // the level's quanta as named
  Reference,  // as the reference code computes them: position and joint quanta swapped, and the angle
              // quantum multiplied by 180/pi instead of pi/180 (so orientation is effectively ignored)
};

// Euler angles of a unit quaternion (w, x, y, z) in the "xyz" (extrinsic x, then y, then z) convention:
// R = Rz(c) Ry(b) Rx(a), returns (a, b, c) in radians.
Eigen::Vector3d euler_xyz(const Eigen::Vector4d& quat_wxyz);

// Number of distinct grasps after rounding (round half to even) the wrist position, the wrist Euler
// angles and the joints to multiples of the level's quanta. root_pose: N x 7 (x y z qw qx qy qz).
int count_unique_grasps(const Eigen::MatrixXd& root_pose, const Eigen::MatrixXd& joints, const UniqueGraspLevel& level,
                        UniqueMode mode = UniqueMode::Correct);

// DexGraspBench's diversity features: [translation (3), axis-angle rotation vector (3), joints] per grasp.
Eigen::MatrixXd pca_features(const Eigen::MatrixXd& root_pose, const Eigen::MatrixXd& joints);
// Cumulative explained-variance ratios of the first `components` principal components of the rows of
// `features` (centred, not scaled, as sklearn's PCA). Fewer than 2 rows or zero variance: all zeros.
std::vector<double> pca_explained_variance(const Eigen::MatrixXd& features, int components = 5);

}  // namespace graspqp
