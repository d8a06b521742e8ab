// The closing command (dataset/grasp_outputs.hpp): the reference policy pushes every contact the same
// depth into the object; the balanced policy closes the gaps the same way and presses with the joint torque
// of the GraspQP QP's contact forces. Checked against contact Jacobians taken by central finite differences
// of the forward kinematics (not point_jacobian) and against the QP's own force balance.
#include <graspqp/check.hpp>
#include <graspqp/dataset/generate.hpp>
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/dataset/grasp_outputs.hpp>
#include <graspqp/error.hpp>
#include <graspqp/optim/sampler.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace graspqp {
namespace {

struct Case {
  HandModel hand = load_hand("allegro");
  ObjectModel object;
  std::vector<Sample> samples;
  Case() {
    ObjectLoadOptions o;
    o.surface_samples = 500;
    object = load_object(test::object_path("ycb/mug/textured.obj"), o);
    SamplerOptions s;
    s.iterations = 300;  // contacts near the surface, some still apart
    samples = run_sampler(hand, hand.grasp_type("full"), object, EnergyConfig{}, s, InitOptions{}, 6, 12, 7, {});
  }
};

const Case& mug_case() {
  static const Case c;
  return c;
}

// The 3 x dof Jacobian of a link point with respect to the joints, by central differences of the kinematics.
Eigen::MatrixXd numeric_jacobian(const HandModel& hand, const Eigen::VectorXd& x, int link, const Vec3& local) {
  const int dof = hand.dof();
  Eigen::MatrixXd J(3, dof);
  HandData data(hand);
  const double h = 1e-6;
  for (int a = 0; a < dof; ++a) {
    Eigen::VectorXd xp = x, xm = x;
    xp[hand.state_size() - dof + a] += h;
    xm[hand.state_size() - dof + a] -= h;
    forward_kinematics(hand, xp, data);
    const Vec3 pp = data.to_world(link, local);
    forward_kinematics(hand, xm, data);
    J.col(a) = (pp - data.to_world(link, local)) / (2 * h);
  }
  return J;
}

TEST(Closing, BalancedPushIsTheJointTorqueOfTheQpForcesAtTheReferencePushSize) {
  const Case& c = mug_case();
  const HandModel& hand = c.hand;
  const GraspType& type = hand.grasp_type("full");
  EnergyWorkspace ws(hand);
  int gaps = 0;
  for (const Sample& s : c.samples) {
    EnergyTerms terms;
    grasp_energy(hand, type, c.object, EnergyConfig{}, s.x, s.contacts, ws, terms, nullptr);
    const int n = static_cast<int>(s.contacts.size()), K = EnergyConfig{}.qp.cone_edges;
    Eigen::Matrix<double, Eigen::Dynamic, 3> forces(n, 3);
    Vec3 net = Vec3::Zero();
    Eigen::VectorXd torque = Eigen::VectorXd::Zero(hand.dof());
    for (int i = 0; i < n; ++i) {
      Vec3 f = Vec3::Zero();  // the pyramid's edges weighted by lambda*, rebuilt from the normal
      const Vec3 nrm = ws.object_at_contact[i].normal;
      Vec3 t1, t2;
      unit_tangents(nrm, t1, t2);
      const double mu = EnergyConfig{}.qp.friction;
      for (int k = 0; k < K; ++k) {
        const double a = 2 * M_PI * k / K;
        const Vec3 e = (std::sqrt(1 - mu * mu) * nrm + mu * (std::cos(a) * t1 + std::sin(a) * t2)) / K;
        f += ws.qp_result.lambda[i * K + k] * e;
      }
      forces.row(i) = f.transpose();
      net += f;
      const ContactCandidate& cand = type.candidates[s.contacts[i]];
      torque -= numeric_jacobian(hand, s.x, cand.link, cand.position).transpose() * f;
      gaps += ws.object_at_contact[i].distance > 1e-3;
    }
    // The forces are the QP's: their sum is the force part of F lambda*.
    const Eigen::VectorXd wrench = ws.qp.grasp * ws.qp_result.lambda;
    EXPECT_LT((net - wrench.head<3>()).norm(), 1e-9 * (1 + net.norm()));

    ClosingOptions gap_only, push_only;
    gap_only.offset = 0;
    push_only.gain = 0;
    const Eigen::VectorXd gap = closing_delta(hand, type, ws.hand, s.contacts, ws.object_at_contact, gap_only);
    const Eigen::VectorXd push = closing_delta(hand, type, ws.hand, s.contacts, ws.object_at_contact, push_only);
    const Eigen::VectorXd balanced =
        balanced_closing_delta(hand, type, ws.hand, s.contacts, ws.object_at_contact, forces);
    const Eigen::VectorXd pressed = balanced - gap;
    ASSERT_GT(torque.norm(), 0);
    EXPECT_GT(pressed.dot(torque) / (pressed.norm() * torque.norm()), 1 - 1e-8);  // same direction
    EXPECT_NEAR(pressed.norm(), push.norm(), 1e-12 * push.norm());                // the reference push's size
    // Without forces the command is the reference's, bit for bit.
    const Eigen::VectorXd reference = closing_delta(hand, type, ws.hand, s.contacts, ws.object_at_contact);
    const Eigen::Matrix<double, Eigen::Dynamic, 3> none = Eigen::Matrix<double, Eigen::Dynamic, 3>::Zero(n, 3);
    EXPECT_EQ(balanced_closing_delta(hand, type, ws.hand, s.contacts, ws.object_at_contact, none), gap + push);
    EXPECT_LT((gap + push - reference).norm(), 1e-12 * reference.norm());  // linear in v
  }
  EXPECT_GT(gaps, 0);  // the gap part was exercised
}

TEST(Closing, FillGraspRowsWritesThePolicysCommand) {
  const Case& c = mug_case();
  const GraspType& type = c.hand.grasp_type("full");
  GraspDataset reference, balanced;
  ClosingOptions ref_opt, bal_opt;
  ref_opt.policy = ClosingPolicy::Reference;
  bal_opt.policy = ClosingPolicy::Balanced;
  fill_grasp_rows(c.hand, type, c.object, EnergyConfig{}, c.samples, reference, {}, ref_opt);
  fill_grasp_rows(c.hand, type, c.object, EnergyConfig{}, c.samples, balanced, {}, bal_opt);
  EnergyWorkspace ws(c.hand);
  for (size_t b = 0; b < c.samples.size(); ++b) {
    EnergyTerms terms;
    grasp_energy(c.hand, type, c.object, EnergyConfig{}, c.samples[b].x, c.samples[b].contacts, ws, terms, nullptr);
    const Eigen::VectorXd expected = closing_delta(c.hand, type, ws.hand, c.samples[b].contacts, ws.object_at_contact);
    EXPECT_EQ(Eigen::VectorXd(reference.closing_delta.row(b).transpose()), expected);
    EXPECT_GT((balanced.closing_delta.row(b) - reference.closing_delta.row(b)).norm(), 0);
    // The poses follow the command: the squeeze is a quarter of it where no limit clamps.
    EXPECT_EQ(balanced.joints.row(b), reference.joints.row(b));
    EXPECT_NE(balanced.squeeze_joints.row(b), reference.squeeze_joints.row(b));
  }
}

TEST(Closing, PolicyNamesAndTheGenerateOption) {
  EXPECT_EQ(parse_closing_policy("reference"), ClosingPolicy::Reference);
  EXPECT_EQ(parse_closing_policy("balanced"), ClosingPolicy::Balanced);
  EXPECT_EQ(to_string(ClosingPolicy::Balanced), "balanced");
  EXPECT_EQ(parse_closing_policy("auto"), ClosingPolicy::Auto);
  EXPECT_THROW(parse_closing_policy("firm"), Error);
  // auto: balanced but for pinch grasps; an explicit policy is kept for every type.
  EXPECT_EQ(resolve_closing_policy(ClosingPolicy::Auto, "full"), ClosingPolicy::Balanced);
  EXPECT_EQ(resolve_closing_policy(ClosingPolicy::Auto, "precision"), ClosingPolicy::Balanced);
  EXPECT_EQ(resolve_closing_policy(ClosingPolicy::Auto, "pinch"), ClosingPolicy::Reference);
  EXPECT_EQ(resolve_closing_policy(ClosingPolicy::Balanced, "pinch"), ClosingPolicy::Balanced);
  EXPECT_EQ(resolve_closing_policy(ClosingPolicy::Reference, "full"), ClosingPolicy::Reference);
  GenerateOptions o;
  EXPECT_EQ(o.closing.policy, ClosingPolicy::Auto);
  set_generate_option(o, "closing", "reference");
  EXPECT_EQ(o.closing.policy, ClosingPolicy::Reference);
  try {
    set_generate_option(o, "closing", "firm");
    FAIL() << "accepted an unknown policy";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown closing policy 'firm'"), std::string::npos) << e.what();
  }
  // Forces for another number of contacts, or an unresolved policy, are programmer errors.
  const Case& c = mug_case();
  GraspDataset d;
  EXPECT_THROW(fill_grasp_rows(c.hand, c.hand.grasp_type("full"), c.object, EnergyConfig{}, c.samples, d, {},
                               ClosingOptions{ClosingPolicy::Auto}),
               InternalError);
  HandData data(c.hand);
  forward_kinematics(c.hand, c.samples[0].x, data);
  const std::vector<SdfResult> at(c.samples[0].contacts.size());
  const Eigen::Matrix<double, Eigen::Dynamic, 3> forces = Eigen::Matrix<double, Eigen::Dynamic, 3>::Zero(2, 3);
  EXPECT_THROW(balanced_closing_delta(c.hand, c.hand.grasp_type("full"), data, c.samples[0].contacts, at, forces),
               InternalError);
}

}  // namespace
}  // namespace graspqp
