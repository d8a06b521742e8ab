#include <graspqp/check.hpp>
#include <graspqp/dataset/grasp_outputs.hpp>
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>

#include <Eigen/Cholesky>

namespace graspqp {

ClosingPolicy parse_closing_policy(const std::string& name) {
  if (name == "auto") return ClosingPolicy::Auto;
  if (name == "reference") return ClosingPolicy::Reference;
  if (name == "balanced") return ClosingPolicy::Balanced;
  throw Error("unknown closing policy '" + name + "' (known: auto, reference, balanced)");
}

std::string to_string(ClosingPolicy policy) {
  switch (policy) {
    case ClosingPolicy::Auto:
      return "auto";
    case ClosingPolicy::Reference:
      return "reference";
    case ClosingPolicy::Balanced:
      return "balanced";
  }
  return "?";
}

ClosingPolicy resolve_closing_policy(ClosingPolicy policy, const std::string& grasp_type) {
  if (policy != ClosingPolicy::Auto) return policy;
  return grasp_type == "pinch" ? ClosingPolicy::Reference : ClosingPolicy::Balanced;
}

Eigen::VectorXd closing_delta(const HandModel& hand, const GraspType& grasp_type, const HandData& data,
                              std::span<const int> contacts, std::span<const SdfResult> object_at_contact,
                              const ClosingOptions& options) {
  const int n = static_cast<int>(contacts.size());
  const int dof = hand.dof();
  Eigen::MatrixXd J(3 * n, dof);
  Eigen::VectorXd v(3 * n);
  for (int i = 0; i < n; ++i) {
    const ContactCandidate& c = grasp_type.candidates[contacts[i]];
    J.middleRows<3>(3 * i) = point_jacobian(hand, data, c.link, data.to_world(c.link, c.position));
    const SdfResult& r = object_at_contact[i];
    v.segment<3>(3 * i) = -r.normal * (options.gain * std::abs(r.distance) + options.offset);
  }
  if (3 * n < dof) {
    Eigen::MatrixXd A = J * J.transpose();
    A.diagonal().array() += options.damping;
    return J.transpose() * A.ldlt().solve(v);
  }
  Eigen::MatrixXd A = J.transpose() * J;
  A.diagonal().array() += options.damping;
  return A.ldlt().solve(J.transpose() * v);
}

Eigen::VectorXd balanced_closing_delta(const HandModel& hand, const GraspType& grasp_type, const HandData& data,
                                       std::span<const int> contacts, std::span<const SdfResult> object_at_contact,
                                       const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 3>>& forces,
                                       const ClosingOptions& options) {
  GRASPQP_CHECK(forces.rows() == static_cast<Eigen::Index>(contacts.size()), "one force per contact");
  ClosingOptions gaps = options, push = options;
  gaps.offset = 0;
  push.gain = 0;
  const Eigen::VectorXd gap_delta = closing_delta(hand, grasp_type, data, contacts, object_at_contact, gaps);
  const Eigen::VectorXd push_delta = closing_delta(hand, grasp_type, data, contacts, object_at_contact, push);
  // Joint torques of the fingers pressing with the QP's forces (the object is pushed by -f_i).
  Eigen::VectorXd torque = Eigen::VectorXd::Zero(hand.dof());
  for (size_t i = 0; i < contacts.size(); ++i) {
    const ContactCandidate& c = grasp_type.candidates[contacts[i]];
    const Vec3 p = data.to_world(c.link, c.position);
    torque -= point_jacobian(hand, data, c.link, p).transpose() * forces.row(i).transpose();
  }
  const double size = torque.norm();
  if (!(size > 0) || !std::isfinite(size)) return gap_delta + push_delta;
  return gap_delta + (push_delta.norm() / size) * torque;
}

void fill_grasp_rows(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                     const EnergyConfig& energy, const std::vector<Sample>& samples, GraspDataset& d,
                     const GraspPoseScales& poses, const ClosingOptions& closing) {
  const int N = static_cast<int>(samples.size());
  const int dof = hand.dof();
  const int n = N > 0 ? static_cast<int>(samples[0].contacts.size()) : 0;
  d.root_pose.resize(N, 7);
  d.joints.resize(N, dof);
  d.energy.resize(N);
  d.energy_terms.resize(N, EnergyTerms::kCount);
  d.contact_idx.resize(N, n);
  d.contact_points.assign(static_cast<size_t>(N) * n * 3, 0.0);
  d.contact_normals.assign(static_cast<size_t>(N) * n * 3, 0.0);
  d.contact_links.assign(static_cast<size_t>(N) * n, "");
  d.contact_forces.resize(N, n);
  d.closing_delta.resize(N, dof);
  d.pregrasp_joints.resize(N, dof);
  d.squeeze_joints.resize(N, dof);
  d.joint_names.clear();
  for (const auto& j : hand.joints) d.joint_names.push_back(j.name);
  d.energy_term_names.assign(EnergyTerms::names().begin(), EnergyTerms::names().end());

  GRASPQP_CHECK(closing.policy != ClosingPolicy::Auto, "resolve the closing policy first");
  EnergyWorkspace ws(hand);
  // Contact forces always come from the GraspQP QP (meaningful whatever energy was optimized).
  EnergyConfig qp_config = energy;
  qp_config.force_closure = ForceClosureKind::GraspQP;
  for (int b = 0; b < N; ++b) {
    const Sample& s = samples[b];
    EnergyTerms terms;
    grasp_energy(hand, grasp_type, object, qp_config, s.x, s.contacts, ws, terms, nullptr);
    const Eigen::Vector4d q = quaternion_wxyz(ws.hand.R);
    d.root_pose.row(b) << ws.hand.t.transpose(), q.transpose();
    d.joints.row(b) = ws.hand.q.transpose();
    d.energy[b] = s.energy;
    for (int k = 0; k < EnergyTerms::kCount; ++k) d.energy_terms(b, k) = s.terms.values[k];
    for (int i = 0; i < n; ++i) {
      const size_t row = static_cast<size_t>(b) * n + i;
      d.contact_idx(b, i) = s.contacts[i];
      for (int a = 0; a < 3; ++a) {
        d.contact_points[3 * row + a] = ws.points(i, a);
        d.contact_normals[3 * row + a] = ws.object_normals(i, a);
      }
      d.contact_links[row] = hand.links[grasp_type.candidates[s.contacts[i]].link].name;
      d.contact_forces(b, i) = ws.qp_result.contact_force.size() > i ? ws.qp_result.contact_force[i] : 0.0;
    }
    Eigen::VectorXd delta;
    if (closing.policy == ClosingPolicy::Balanced) {
      // Each contact's force: the sum of its pyramid edges (the grasp matrix's force rows) times lambda*.
      const int K = qp_config.qp.cone_edges;
      Eigen::Matrix<double, Eigen::Dynamic, 3> forces(n, 3);
      for (int i = 0; i < n; ++i)
        forces.row(i) = (ws.qp.grasp.block(0, i * K, 3, K) * ws.qp_result.lambda.segment(i * K, K)).transpose();
      delta = balanced_closing_delta(hand, grasp_type, ws.hand, s.contacts, ws.object_at_contact, forces, closing);
    } else {
      delta = closing_delta(hand, grasp_type, ws.hand, s.contacts, ws.object_at_contact, closing);
    }
    d.closing_delta.row(b) = delta.transpose();
    d.pregrasp_joints.row(b) = pregrasp_joints(hand, ws.hand.q, delta, poses.pregrasp).transpose();
    d.squeeze_joints.row(b) = squeeze_joints(hand, ws.hand.q, delta, poses.squeeze).transpose();
  }
}

}  // namespace graspqp
