#include <graspqp/energy/contact_distance.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/energy/hand_penetration.hpp>
#include <graspqp/energy/joint_limits.hpp>
#include <graspqp/error.hpp>

namespace graspqp {

ForceClosureKind parse_force_closure_kind(const std::string& name) {
  if (name == "graspqp") return ForceClosureKind::GraspQP;
  if (name == "dexgraspnet") return ForceClosureKind::DexGraspNet;
  if (name == "tdg") return ForceClosureKind::TDG;
  throw Error("unknown energy '" + name + "' (known: graspqp, dexgraspnet, tdg)");
}

std::string to_string(ForceClosureKind kind) {
  switch (kind) {
    case ForceClosureKind::GraspQP:
      return "graspqp";
    case ForceClosureKind::DexGraspNet:
      return "dexgraspnet";
    case ForceClosureKind::TDG:
      return "tdg";
  }
  return "?";
}

const std::array<const char*, EnergyTerms::kCount>& EnergyTerms::names() {
  static const std::array<const char*, kCount> n{"E_dis",    "E_fc",    "E_pen",  "E_spen",
                                                 "E_joints", "E_prior", "E_wall", "E_hpen"};
  return n;
}

EnergyWorkspace::EnergyWorkspace(const HandModel& model) : hand(model), joint_limit_scale(model.dof()) {
  for (int j = 0; j < model.dof(); ++j)
    joint_limit_scale[j] = model.joints[j].type == JointType::Prismatic ? 1.0 / kPrismaticLimitLength : 1.0;
}

double grasp_energy(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                    const EnergyConfig& config, const Eigen::VectorXd& x, std::span<const int> contacts,
                    EnergyWorkspace& ws, EnergyTerms& terms, Eigen::VectorXd* grad, NearSets* near) {
  const EnergyWeights& w = config.weights;
  const bool want_grad = grad != nullptr;
  forward_kinematics(hand, x, ws.hand);
  if (near) update_near_sets(hand, ws.hand, object, *near);
  clear_gradient(ws.hand);
  terms = EnergyTerms{};

  // Contacts: hand points and normals, object distance and normal at each.
  const size_t n = contacts.size();
  if (near && near->contact_faces.size() != grasp_type.candidates.size())
    near->contact_faces.assign(grasp_type.candidates.size(), -1);
  ws.points.resize(n, 3);
  ws.object_normals.resize(n, 3);
  ws.object_at_contact.resize(n);
  ws.hand_normals.resize(n);
  ws.dE_dp.assign(n, Vec3::Zero());
  ws.dE_dnu.assign(n, Vec3::Zero());
  for (size_t i = 0; i < n; ++i) {
    const ContactCandidate& c = grasp_type.candidates.at(contacts[i]);
    const Vec3 p = ws.hand.to_world(c.link, c.position);
    ws.points.row(i) = p.transpose();
    ws.hand_normals[i] = ws.hand.dir_to_world(c.link, c.normal);
    if (near) {  // warm start from where this candidate's closest face was last time (same result)
      int& face = near->contact_faces[contacts[i]];
      ws.object_at_contact[i] = object.sdf->query(p, face);
      face = ws.object_at_contact[i].face;
    } else {
      ws.object_at_contact[i] = object.sdf->query(p);
    }
    ws.object_normals.row(i) = ws.object_at_contact[i].normal.transpose();
  }

  // E_dis.
  terms.dis() = contact_distance_energy(ws.object_at_contact, ws.hand_normals, ws.dE_dp, ws.dE_dnu);
  for (size_t i = 0; i < n; ++i) {
    ws.dE_dp[i] *= w.dis;
    ws.dE_dnu[i] *= w.dis;
  }

  // E_fc: its normal gradient reaches the state through the object normal's dependence on p.
  {
    ws.dE_dp_fc.resize(n, 3);
    ws.dE_dn_fc.resize(n, 3);
    switch (config.force_closure) {
      case ForceClosureKind::GraspQP:
        force_closure_qp_energy(config.qp, ws.points, ws.object_normals, object.center, ws.qp, ws.qp_result,
                                ws.dE_dp_fc, ws.dE_dn_fc);
        terms.fc() = ws.qp_result.energy;
        break;
      case ForceClosureKind::DexGraspNet:
        terms.fc() = dexgraspnet_energy(DexGraspNetParams{config.dexgraspnet_torque_weight}, ws.points,
                                        ws.object_normals, object.center, ws.dE_dp_fc, ws.dE_dn_fc);
        break;
      case ForceClosureKind::TDG:
        if (!ws.tdg) ws.tdg = std::make_shared<const TdgEnergy>();
        terms.fc() = ws.tdg->value(ws.points, ws.object_normals, object.center, ws.tdg_ws, ws.dE_dp_fc, ws.dE_dn_fc);
        break;
    }
    if (want_grad && w.fc != 0)
      for (size_t i = 0; i < n; ++i) {
        const Vec3 dn = ws.dE_dn_fc.row(i).transpose();
        ws.dE_dp[i] +=
            w.fc * (ws.dE_dp_fc.row(i).transpose() + normal_jacobian(ws.object_at_contact[i]).transpose() * dn);
      }
  }

  if (want_grad)
    for (size_t i = 0; i < n; ++i) {
      const int link = grasp_type.candidates[contacts[i]].link;
      add_point_gradient(ws.hand, link, ws.points.row(i).transpose(), ws.dE_dp[i]);
      add_normal_gradient(ws.hand, link, ws.hand_normals[i], ws.dE_dnu[i]);
    }

  // E_pen and E_spen add their weighted gradients straight into the adjoint accumulators.
  terms.pen() = penetration_energy(hand, ws.hand, object, ws.penetration, want_grad ? w.pen : 0.0, near).energy;
  terms.hpen() = w.hpen != 0 ? hand_penetration_energy(hand, ws.hand, object, want_grad ? w.hpen : 0.0, near) : 0.0;
  terms.spen() = self_penetration_energy(hand, ws.hand, config.self_penetration, want_grad ? w.spen : 0.0);

  // E_joints.
  const Eigen::VectorXd& q = ws.hand.q;
  ws.dE_dq.resize(hand.dof());
  terms.joints() = joint_limit_energy(q, hand.lower_limits(), hand.upper_limits(), ws.dE_dq, ws.joint_limit_scale);
  ws.dE_dq *= w.joints;

  // E_prior: the hand's grasp axis should point down (table-top grasps): 1 + (R g)_z.
  if (w.prior != 0) {
    const Vec3 axis = ws.hand.R * hand.grasp_axis;
    terms.prior() = 1.0 + axis.z();
    if (want_grad) add_normal_gradient(ws.hand, 0, axis, w.prior * Vec3::UnitZ());
  }

  // E_wall: nothing below the table, sum over hand surface points of max(table_z - z, 0).
  if (w.wall != 0) {
    for (const SurfacePoint& s : hand.surface_points) {
      const Vec3 p = ws.hand.to_world(s.link, s.position);
      if (p.z() >= config.table_z) continue;
      terms.wall() += config.table_z - p.z();
      if (want_grad) add_point_gradient(ws.hand, s.link, p, -w.wall * Vec3::UnitZ());
    }
  }

  terms.total = w.dis * terms.dis() + w.fc * terms.fc() + w.pen * terms.pen() + w.spen * terms.spen() +
                w.joints * terms.joints() + w.prior * terms.prior() + w.wall * terms.wall() + w.hpen * terms.hpen();
  if (want_grad) {
    grad->resize(hand.state_size());
    backpropagate(hand, ws.hand, *grad, &ws.dE_dq);
  }
  return terms.total;
}

}  // namespace graspqp
