#pragma once
// The total grasp energy of one sample and its exact gradient with respect to the grasp state:
//   E = w_dis E_dis + w_fc E_fc + w_pen E_pen + w_spen E_spen + w_joints E_joints
//       (+ w_prior E_prior + w_wall E_wall for table-top grasps).
// A pure function of (hand model, grasp type, object model, config, state, contact indices); all
// buffers live in the caller's EnergyWorkspace, so evaluations allocate nothing after the first.
#include <graspqp/energy/force_closure_baselines.hpp>
#include <graspqp/energy/force_closure_qp.hpp>
#include <graspqp/energy/near_sets.hpp>
#include <graspqp/energy/penetration.hpp>
#include <graspqp/energy/self_penetration.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/object/object_model.hpp>

#include <array>
#include <memory>
#include <span>
#include <string>

namespace graspqp {

enum class ForceClosureKind { GraspQP, DexGraspNet, TDG };
ForceClosureKind parse_force_closure_kind(const std::string& name);  // "graspqp" | "dexgraspnet" | "tdg"
std::string to_string(ForceClosureKind kind);

struct EnergyWeights {
  double dis = 100.0, fc = 1.0, pen = 100.0, spen = 10.0, joints = 1.0, prior = 0.0, wall = 0.0, hpen = 100.0;
};

struct EnergyConfig {
  EnergyWeights weights;
  ForceClosureKind force_closure = ForceClosureKind::GraspQP;
  ForceClosureQpParams qp;  // GraspQP energy parameters (friction, cone edges, torque weight, bounds)
  double dexgraspnet_torque_weight = 1.0;
  SelfPenetrationOptions self_penetration;
  double table_z = 0.0;  // table plane z = table_z in the object frame (E_wall, E_prior)
};

// Unweighted terms, in this order in files: dis, fc, pen, spen, joints, prior, wall.
struct EnergyTerms {
  static constexpr int kCount = 8;
  static const std::array<const char*, kCount>& names();
  std::array<double, kCount> values{};
  double total = 0;
  double& dis() { return values[0]; }
  double& fc() { return values[1]; }
  double& pen() { return values[2]; }
  double& spen() { return values[3]; }
  double& joints() { return values[4]; }
  double& prior() { return values[5]; }
  double& wall() { return values[6]; }
  double& hpen() { return values[7]; }
};

struct EnergyWorkspace {
  explicit EnergyWorkspace(const HandModel& model);
  HandData hand;
  Eigen::VectorXd joint_limit_scale;  // E_joints weights per actuated joint (energy/joint_limits.hpp)
  PenetrationWorkspace penetration;
  ForceClosureQpWorkspace qp;
  ForceClosureQpResult qp_result;
  std::shared_ptr<const TdgEnergy> tdg;  // built on first use (holds its fixed direction set)
  TdgWorkspace tdg_ws;
  std::vector<SdfResult> object_at_contact;
  std::vector<Vec3> hand_normals, dE_dp, dE_dnu;
  ContactArray points, object_normals, dE_dp_fc, dE_dn_fc;
  Eigen::VectorXd dE_dq;
};

// Energy of state x with the given contact indices (into grasp_type.candidates). With grad != nullptr
// the gradient dE/dx (size 9 + dof) is written to it. With `near` (one per sample, kept between its
// evaluations) the penetration terms search only what moved since (energy/near_sets.hpp); the result is
// the same, bit for bit.
double grasp_energy(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                    const EnergyConfig& config, const Eigen::VectorXd& x, std::span<const int> contacts,
                    EnergyWorkspace& ws, EnergyTerms& terms, Eigen::VectorXd* grad, NearSets* near = nullptr);

}  // namespace graspqp
