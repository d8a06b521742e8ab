#include <graspqp/energy/joint_limits.hpp>

namespace graspqp {

double joint_limit_energy(const Eigen::VectorXd& q, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                          Eigen::VectorXd& dE_dq) {
  dE_dq.setZero(q.size());
  double E = 0;
  for (Eigen::Index j = 0; j < q.size(); ++j) {
    if (q[j] > upper[j]) {
      E += q[j] - upper[j];
      dE_dq[j] = 1;
    } else if (q[j] < lower[j]) {
      E += lower[j] - q[j];
      dE_dq[j] = -1;
    }
  }
  return E;
}

}  // namespace graspqp
