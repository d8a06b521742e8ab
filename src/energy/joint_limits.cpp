#include <graspqp/energy/joint_limits.hpp>

namespace graspqp {

double joint_limit_energy(const Eigen::VectorXd& q, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                          Eigen::VectorXd& dE_dq, const Eigen::VectorXd& scale) {
  dE_dq.setZero(q.size());
  double E = 0;
  for (Eigen::Index j = 0; j < q.size(); ++j) {
    const double s = scale.size() ? scale[j] : 1.0;
    if (q[j] > upper[j]) {
      E += s * (q[j] - upper[j]);
      dE_dq[j] = s;
    } else if (q[j] < lower[j]) {
      E += s * (lower[j] - q[j]);
      dE_dq[j] = -s;
    }
  }
  return E;
}

}  // namespace graspqp
