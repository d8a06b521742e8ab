#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <cmath>

namespace graspqp {

HandData::HandData(const HandModel& model) {
  const size_t n = model.links.size();
  q = Eigen::VectorXd::Zero(model.dof());
  joint_value.assign(n, 0.0);
  pose_base.assign(n, Eigen::Isometry3d::Identity());
  rotation.assign(n, Mat3::Identity());
  position.assign(n, Vec3::Zero());
  axis_world.assign(n, Vec3::Zero());
  force.assign(n, Vec3::Zero());
  moment.assign(n, Vec3::Zero());
}

Eigen::Vector4d quaternion_wxyz(const Mat3& R) {
  Eigen::Quaterniond q(R);
  q.normalize();
  Eigen::Vector4d out(q.w(), q.x(), q.y(), q.z());
  if (out[0] < 0) out = -out;
  return out;
}

Mat3 rotation_from_6d(const Eigen::Ref<const Eigen::VectorXd>& r6) {
  const Vec3 a = r6.segment<3>(0), b = r6.segment<3>(3);
  const double na = a.norm();
  if (!(na > 1e-12)) throw Error("rotation: first column of the 6-D rotation is zero");
  const Vec3 a1 = a / na;
  const Vec3 b_orth = b - a1.dot(b) * a1;
  const double nb = b_orth.norm();
  if (!(nb > 1e-12)) throw Error("rotation: the two columns of the 6-D rotation are parallel");
  const Vec3 b1 = b_orth / nb;
  Mat3 R;
  R.col(0) = a1;
  R.col(1) = b1;
  R.col(2) = a1.cross(b1);
  return R;
}

Eigen::Matrix<double, 6, 1> rotation_6d_backward(const Eigen::Ref<const Eigen::VectorXd>& r6, const Mat3& G) {
  const Vec3 a = r6.segment<3>(0), b = r6.segment<3>(3);
  const double na = a.norm();
  const Vec3 a1 = a / na;
  const Vec3 b_orth = b - a1.dot(b) * a1;
  const double nb = b_orth.norm();
  const Vec3 b1 = b_orth / nb;
  // c = a1 x b1
  Vec3 g_a1 = G.col(0) + b1.cross(G.col(2));
  Vec3 g_b1 = G.col(1) + G.col(2).cross(a1);
  // b1 = b_orth / |b_orth|
  const Vec3 g_borth = (g_b1 - b1 * b1.dot(g_b1)) / nb;
  // b_orth = b - (a1.b) a1
  const double a1b = a1.dot(b);
  const Vec3 g_b = g_borth - a1 * a1.dot(g_borth);
  g_a1 -= a1b * g_borth + b * a1.dot(g_borth);
  // a1 = a / |a|
  const Vec3 g_a = (g_a1 - a1 * a1.dot(g_a1)) / na;
  Eigen::Matrix<double, 6, 1> out;
  out << g_a, g_b;
  return out;
}

Eigen::VectorXd make_state(const Vec3& t, const Mat3& R, const Eigen::VectorXd& q) {
  Eigen::VectorXd x(9 + q.size());
  x << t, R.col(0), R.col(1), q;
  return x;
}

void coupled_joint_values(const HandModel& model, const Eigen::Ref<const Eigen::VectorXd>& q,
                          std::vector<double>& joint_value) {
  joint_value.resize(model.links.size());
  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    joint_value[l] = link.actuated >= 0 ? link.multiplier * q[link.actuated] + link.offset : 0.0;
  }
}

static Eigen::Isometry3d joint_motion(const LinkModel& link, double value) {
  Eigen::Isometry3d M = Eigen::Isometry3d::Identity();
  if (link.joint_type == JointType::Revolute) {
    M.linear() = Eigen::AngleAxisd(value, link.joint_axis).toRotationMatrix();
  } else if (link.joint_type == JointType::Prismatic) {
    M.translation() = value * link.joint_axis;
  }
  return M;
}

void forward_kinematics(const HandModel& model, const Eigen::Ref<const Eigen::VectorXd>& x, HandData& data) {
  if (x.size() != model.state_size())
    throw Error("forward_kinematics: state has " + std::to_string(x.size()) + " values, hand '" + model.name +
                "' needs " + std::to_string(model.state_size()));
  if (!x.allFinite()) throw Error("forward_kinematics: state contains NaN or infinite values");
  data.t = x.segment<3>(0);
  data.R = rotation_from_6d(x.segment<6>(3));
  data.r6 = x.segment<6>(3);
  data.q = x.tail(model.dof());
  coupled_joint_values(model, data.q, data.joint_value);

  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    if (link.parent < 0) {
      data.pose_base[l].setIdentity();
    } else {
      data.pose_base[l] = data.pose_base[link.parent] * link.joint_origin * joint_motion(link, data.joint_value[l]);
    }
    data.rotation[l] = data.R * data.pose_base[l].linear();
    data.position[l] = data.R * data.pose_base[l].translation() + data.t;
    // The joint axis is fixed in the child frame (the motion is about/along it), so the child's
    // rotation maps it to the world.
    data.axis_world[l] = data.rotation[l] * link.joint_axis;
  }
}

void clear_gradient(HandData& data) {
  for (auto& f : data.force) f.setZero();
  for (auto& m : data.moment) m.setZero();
  data.base_outer.setZero();
}

void backpropagate(const HandModel& model, HandData& data, Eigen::Ref<Eigen::VectorXd> dE_dx,
                   const Eigen::VectorXd* dE_dq_direct) {
  const int dof = model.dof();
  if (dE_dx.size() != 9 + dof) throw Error("backpropagate: gradient buffer has the wrong size");
  dE_dx.setZero();
  auto dq = dE_dx.tail(dof);
  if (dE_dq_direct) dq += *dE_dq_direct;

  // Reverse tree order: children are summed into parents after their own joint is handled.
  // The accumulators are consumed (they hold subtree sums afterwards).
  Vec3 total_force = Vec3::Zero();
  for (int l = static_cast<int>(model.links.size()) - 1; l >= 0; --l) {
    const LinkModel& link = model.links[l];
    const Vec3& F = data.force[l];
    const Vec3& M = data.moment[l];
    if (link.actuated >= 0) {
      double dvalue;
      if (link.joint_type == JointType::Revolute) {
        // The joint anchor is the child link origin (joint origin = child frame at q).
        dvalue = data.axis_world[l].dot(M - data.position[l].cross(F));
      } else {
        dvalue = data.axis_world[l].dot(F);
      }
      dq[link.actuated] += link.multiplier * dvalue;
    }
    if (link.parent >= 0) {
      data.force[link.parent] += F;
      data.moment[link.parent] += M;
    } else {
      total_force += F;
    }
  }
  dE_dx.segment<3>(0) = total_force;
  // dE/dR = sum dE/dp (R^T (p - t))^T + dE/dn (R^T n)^T = base_outer * R.
  dE_dx.segment<6>(3) = rotation_6d_backward(data.r6, data.base_outer * data.R);
}

Eigen::Matrix<double, 3, Eigen::Dynamic> point_jacobian(const HandModel& model, const HandData& data, int link,
                                                        const Vec3& p_world) {
  Eigen::Matrix<double, 3, Eigen::Dynamic> J = Eigen::Matrix<double, 3, Eigen::Dynamic>::Zero(3, model.dof());
  for (int l = link; l >= 0; l = model.links[l].parent) {
    const LinkModel& lk = model.links[l];
    if (lk.actuated < 0) continue;
    const Vec3 column = lk.joint_type == JointType::Revolute
                            ? Vec3(data.axis_world[l].cross(p_world - data.position[l]))
                            : data.axis_world[l];
    J.col(lk.actuated) += lk.multiplier * column;
  }
  return J;
}

}  // namespace graspqp
