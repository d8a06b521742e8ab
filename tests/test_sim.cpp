// Physics evaluation in MuJoCo: hand-made Panda grasps on a box under the protocols, determinism,
// protocol constants in the compiled model, couplings, convex decomposition.
#include <graspqp/error.hpp>
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/report/eval_report.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "sim_fixture.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace graspqp;

using namespace graspqp::test_sim;

TEST(SimProtocol, BuiltInsAreValidAndRoundTrip) {
  for (const auto& name : protocol_names()) {
    const SimProtocol p = make_protocol(name);
    EXPECT_NO_THROW(validate_protocol(p));
    SimProtocol q = make_protocol("graspqp");
    apply_protocol_json(q, protocol_to_json(p));
    EXPECT_EQ(protocol_to_json(q), protocol_to_json(p)) << name;
  }
  EXPECT_THROW(make_protocol("isaac"), Error);
  SimProtocol p = make_protocol("graspqp");
  apply_protocol_setting(p, "magnitude=5");
  apply_protocol_setting(p, "trial_rule=all");
  apply_protocol_setting(p, "tests=[[[0,0,1]]]");
  apply_protocol_setting(p, "test_names=[\"up\"]");
  EXPECT_DOUBLE_EQ(p.magnitude, 5);
  EXPECT_EQ(p.trial_rule, "all");
  ASSERT_EQ(p.tests.size(), 1u);
  EXPECT_NO_THROW(validate_protocol(p));
  EXPECT_THROW(apply_protocol_setting(p, "no_such_key=1"), Error);
  EXPECT_THROW(apply_protocol_setting(p, "magnitude=\"x\""), Error);
  apply_protocol_setting(p, "trial_rule=sometimes");
  EXPECT_THROW(validate_protocol(p), Error);
  // The reference's timing: three 1.5 s phases.
  const SimProtocol g = make_protocol("graspqp");
  EXPECT_NEAR(g.test_duration(0), 1.5, 1e-12);
  EXPECT_NEAR(g.total_duration(), 4.5, 1e-12);
}

TEST(SimProtocol, GraspqpFastDiffersFromGraspqpOnlyInItsStepAndContactPoints) {
  nlohmann::json fast = protocol_to_json(make_protocol("graspqp-fast")),
                 reference = protocol_to_json(make_protocol("graspqp"));
  EXPECT_EQ(fast["timestep"], 0.004);
  EXPECT_EQ(fast["multiccd"], false);
  EXPECT_EQ(reference["timestep"], 0.002);
  EXPECT_EQ(reference["multiccd"], true);
  for (const char* key : {"name", "timestep", "multiccd"}) fast.erase(key), reference.erase(key);
  EXPECT_EQ(fast, reference);
}

TEST(SimModel, ProtocolConstantsAreInTheCompiledModel) {
  auto& f = box_fixture();
  SimSceneOptions so;
  for (const auto& name : protocol_names()) {
    const SimProtocol p = make_protocol(name);
    const auto scene = build_sim_scene(f.panda, f.object, p, so);
    const mjModel* m = scene->model.get();
    SCOPED_TRACE(name);
    EXPECT_DOUBLE_EQ(m->opt.timestep, p.timestep);
    EXPECT_DOUBLE_EQ(m->opt.gravity[0], 0);
    EXPECT_DOUBLE_EQ(m->opt.gravity[1], 0);
    EXPECT_DOUBLE_EQ(m->opt.gravity[2], -p.gravity);
    EXPECT_DOUBLE_EQ(m->opt.impratio, p.impratio);
    EXPECT_EQ(m->opt.cone, p.cone == "elliptic" ? mjCONE_ELLIPTIC : mjCONE_PYRAMIDAL);
    EXPECT_EQ(m->opt.noslip_iterations, p.noslip_iterations);
    EXPECT_EQ((m->opt.enableflags & mjENBL_MULTICCD) != 0, p.multiccd);
    const double expected_mass = p.object_mass > 0 ? p.object_mass : p.object_density * 0.04 * 0.016 * 0.04;
    EXPECT_NEAR(m->body_mass[scene->object_body], expected_mass, 1e-6 * expected_mass);
    EXPECT_NEAR(scene->object_mass, expected_mass, 1e-6 * expected_mass);
    // Box inertia about its centre: the principal moments sum to m (a^2 + b^2 + c^2) / 6.
    const double trace = expected_mass * (0.04 * 0.04 + 0.016 * 0.016 + 0.04 * 0.04) / 6;
    EXPECT_NEAR(m->body_inertia[3 * scene->object_body + 0] + m->body_inertia[3 * scene->object_body + 1] +
                    m->body_inertia[3 * scene->object_body + 2],
                trace, 1e-5 * trace);
    for (int g = 0; g < m->ngeom; ++g) {
      EXPECT_DOUBLE_EQ(m->geom_friction[3 * g + 0], p.friction);
      EXPECT_DOUBLE_EQ(m->geom_friction[3 * g + 1], p.torsional_friction);
      EXPECT_EQ(m->geom_condim[g], p.condim);
      EXPECT_DOUBLE_EQ(m->geom_solimp[5 * g + 0], p.solimp_dmin);
      EXPECT_DOUBLE_EQ(m->geom_solref[2 * g + 0], p.solref_timeconst);
    }
    // Panda: one actuator on joint1 with the hand.json gain and force limit; joint2 coupled by an equality.
    ASSERT_EQ(m->nu, 1);
    EXPECT_DOUBLE_EQ(m->actuator_gainprm[0], 1000 * p.kp_scale);
    EXPECT_DOUBLE_EQ(m->actuator_forcerange[1], 70 * p.force_limit_scale);
    const bool floating = p.hand_root == "floating";
    ASSERT_EQ(m->neq, floating ? 2 : 1);
    EXPECT_EQ(m->eq_type[0], mjEQ_JOINT);
    EXPECT_DOUBLE_EQ(m->eq_data[1], 1.0);  // polycoef: follower = 0 + 1 * leader
    EXPECT_EQ(m->nmocap, 1);
    if (floating) {  // the hand's root is free, held by a weld to the mocap body (DexGraspBench's solimp)
      EXPECT_EQ(m->eq_type[1], mjEQ_WELD);
      EXPECT_DOUBLE_EQ(m->eq_solimp[5 * 1 + 0], 0.9);
      EXPECT_DOUBLE_EQ(m->eq_solimp[5 * 1 + 1], 0.95);
      EXPECT_GE(scene->root_qpos, 0);
      EXPECT_EQ(m->jnt_type[m->body_jntadr[scene->link_body[0]]], mjJNT_FREE);
    } else {
      EXPECT_EQ(scene->root_qpos, -1);
    }
    // The contact check's detection distance widens the margins of a copy of the model only.
    if (p.contact_detect_distance > 0) {
      ASSERT_TRUE(scene->detect_model);
      EXPECT_EQ(scene->detect_model->ngeom, m->ngeom);
      for (int g = 0; g < m->ngeom; ++g) {
        EXPECT_DOUBLE_EQ(scene->detect_model->geom_margin[g], p.margin + p.contact_detect_distance);
        EXPECT_DOUBLE_EQ(scene->detect_model->geom_gap[g], p.contact_detect_distance);
      }
    } else {
      EXPECT_FALSE(scene->detect_model);
    }
    for (int g = 0; g < m->ngeom; ++g) {
      EXPECT_DOUBLE_EQ(m->geom_margin[g], p.margin);
      EXPECT_DOUBLE_EQ(m->geom_gap[g], 0);
    }
  }
  // Overrides reach the model.
  SimProtocol p = make_protocol("graspqp");
  apply_protocol_setting(p, "object_mass=0.5");
  apply_protocol_setting(p, "friction=0.3");
  apply_protocol_setting(p, "gravity=9.81");
  apply_protocol_setting(p, "kp_scale=2");
  const auto scene = build_sim_scene(f.panda, f.object, p, so);
  const mjModel* m = scene->model.get();
  EXPECT_DOUBLE_EQ(m->body_mass[scene->object_body], 0.5);
  EXPECT_DOUBLE_EQ(m->geom_friction[0], 0.3);
  EXPECT_DOUBLE_EQ(m->opt.gravity[2], -9.81);
  EXPECT_DOUBLE_EQ(m->actuator_gainprm[0], 2000);
}

TEST(SimModel, CouplingsBecomeEqualities) {
  auto& f = box_fixture();
  const HandModel robotiq = load_hand("robotiq2");
  const auto scene = build_sim_scene(robotiq, f.object, make_protocol("graspqp"), {});
  const mjModel* m = scene->model.get();
  EXPECT_EQ(m->nu, 1);
  EXPECT_EQ(m->neq, 5);  // the five coupled joints of the 2F-140
  const HandModel allegro = load_hand("allegro");
  const auto s2 = build_sim_scene(allegro, f.object, make_protocol("graspqp"), {});
  EXPECT_EQ(s2->model->nu, 16);
  EXPECT_EQ(s2->model->neq, 0);
  // Joint origins and axes: MuJoCo's forward kinematics matches HandModel's.
  mjData* d = mj_makeData(s2->model.get());
  const Eigen::VectorXd q = allegro.default_joints();
  std::vector<double> jv;
  coupled_joint_values(allegro, q, jv);
  for (size_t l = 0; l < allegro.links.size(); ++l)
    if (s2->link_qpos[l] >= 0) d->qpos[s2->link_qpos[l]] = jv[l];
  d->mocap_pos[0] = 0.1;
  d->mocap_quat[0] = std::cos(0.3);
  d->mocap_quat[3] = std::sin(0.3);
  mj_forward(s2->model.get(), d);
  HandData hd(allegro);
  const Mat3 R = Eigen::Quaterniond(std::cos(0.3), 0, 0, std::sin(0.3)).toRotationMatrix();
  forward_kinematics(allegro, make_state(Vec3(0.1, 0, 0), R, q), hd);
  for (size_t l = 0; l < allegro.links.size(); ++l) {
    const int b = s2->link_body[l];
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(d->xpos[3 * b + k], hd.position[l][k], 1e-9) << allegro.links[l].name;
  }
  mj_deleteData(d);
}

TEST(SimEval, PandaSqueezingABoxHoldsUnderBothProtocols) {
  auto& f = box_fixture();
  const GraspDataset d = panda_grasps({kHold});
  for (const std::string protocol : {"graspqp", "dexgraspnet"}) {
    const auto r = evaluate_grasps(f.panda, f.object, d, options_for(protocol));
    ASSERT_EQ(r.size(), 1u);
    SCOPED_TRACE(protocol);
    EXPECT_TRUE(r[0].error.empty()) << r[0].error;
    EXPECT_TRUE(r[0].success);
    EXPECT_TRUE(r[0].success_all);  // every direction holds
    for (double t : r[0].test_success) EXPECT_EQ(t, 1.0);
    EXPECT_GE(r[0].settle_contacts, 2);  // both fingers touch the box
    EXPECT_LT(r[0].max_translation, 0.01);
  }
}

TEST(SimEval, OpenFingersAndDistantHandFail) {
  auto& f = box_fixture();
  const GraspDataset d = panda_grasps({kOpen, kFar});
  for (const std::string protocol : {"graspqp", "dexgraspnet"}) {
    const auto r = evaluate_grasps(f.panda, f.object, d, options_for(protocol));
    ASSERT_EQ(r.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      SCOPED_TRACE(protocol + (i ? " far" : " open"));
      EXPECT_TRUE(r[i].error.empty()) << r[i].error;
      EXPECT_FALSE(r[i].success);
      EXPECT_FALSE(r[i].success_all);
      // DexGraspNet's contact rule holds trivially in the directions that push the object onto the hand,
      // so only the reference's lenient "any" rule of the graspqp protocol is meaningful here.
      if (protocol == "graspqp") EXPECT_FALSE(r[i].success_any);
      EXPECT_EQ(r[i].settle_contacts, 0);
    }
  }
}

TEST(SimEval, DexGraspBenchProtocolHoldsAndFails) {
  auto& f = box_fixture();
  const auto r = evaluate_grasps(f.panda, f.object, panda_grasps({kHold, kOpen}), options_for("dexgraspbench"));
  EXPECT_TRUE(r[0].success);
  EXPECT_LT(r[0].max_rotation_deg, 15);
  EXPECT_FALSE(r[1].success);
}

TEST(SimEval, DeterministicAcrossRunsAndThreads) {
  auto& f = box_fixture();
  // Grasps close to the decision boundary are the most sensitive to any non-determinism.
  const GraspDataset d =
      panda_grasps({kHold, {0.0082, -0.004, 0.0}, {0.008, -0.002, 0.005}, kOpen, {0.009, -0.01, 0.01}});
  EvalOptions o = options_for("graspqp", 2);
  o.trials = 2;
  const auto a = evaluate_grasps(f.panda, f.object, d, o);
  const auto b = evaluate_grasps(f.panda, f.object, d, o);
  o.threads = 1;
  const auto c = evaluate_grasps(f.panda, f.object, d, o);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    for (const auto* other : {&b[i], &c[i]}) {
      EXPECT_EQ(a[i].success, other->success) << i;
      EXPECT_EQ(a[i].trials_ok_any, other->trials_ok_any) << i;
      EXPECT_EQ(a[i].max_translation, other->max_translation) << i;  // bit-identical
      EXPECT_EQ(a[i].max_rotation_deg, other->max_rotation_deg) << i;
      EXPECT_EQ(a[i].settle_translation, other->settle_translation) << i;
    }
  }
}

TEST(SimEval, PerturbedTrialsAndGraspRule) {
  auto& f = box_fixture();
  EvalOptions o = options_for("graspqp");
  o.trials = 3;
  const auto r = evaluate_grasps(f.panda, f.object, panda_grasps({kHold, kOpen}), o);
  EXPECT_EQ(r[0].trials, 3);
  EXPECT_EQ(r[0].trials_ok_any, 3);  // 1 mm / 1 deg do not break a centred squeeze
  EXPECT_TRUE(r[0].success);
  EXPECT_EQ(r[1].trials_ok_any, 0);
  // A one-direction protocol whose force exceeds the friction capacity fails, "any" and "all" agree.
  SimProtocol p = make_protocol("graspqp");
  apply_protocol_setting(p, "magnitude=200");
  o.protocol = p;
  o.trials = 1;
  const auto s = evaluate_grasps(f.panda, f.object, panda_grasps({kHold}), o);
  EXPECT_FALSE(s[0].success_any);
  EXPECT_FALSE(s[0].success_all);
}

TEST(SimEval, InitialPenetrationPrefilter) {
  auto& f = box_fixture();
  // Fingers 4 mm inside the box on each side.
  const GraspDataset d = panda_grasps({{0.004, -0.005, 0.0}});
  EvalOptions o = options_for("dexgraspbench");
  apply_protocol_setting(o.protocol, "max_initial_penetration=0.002");
  apply_protocol_setting(o.protocol, "pregrasp_scale=0");  // the pregrasp is the grasp itself
  auto r = evaluate_grasps(f.panda, f.object, d, o);
  EXPECT_GT(r[0].initial_penetration, 0.003);
  EXPECT_TRUE(r[0].prefiltered);
  EXPECT_FALSE(r[0].success);
  // DexGraspBench checks the pregrasp: opened by the closing command (5 mm per finger), it is clear of the box.
  apply_protocol_setting(o.protocol, "pregrasp_scale=1");
  r = evaluate_grasps(f.panda, f.object, d, o);
  EXPECT_EQ(r[0].initial_penetration, 0);
  EXPECT_FALSE(r[0].prefiltered);
}

TEST(SimEval, AnalyticMetricsAndOutputs) {
  auto& f = box_fixture();
  const GraspDataset d = panda_grasps({kHold, kOpen});
  EvalOptions o = options_for("graspqp");
  o.analytic_metrics = true;
  const auto r = evaluate_grasps(f.panda, f.object, d, o);
  ASSERT_TRUE(std::isfinite(r[0].penetration_depth));
  EXPECT_LT(r[0].penetration_depth, 1e-3);  // 0.5 mm gaps: no penetration
  EXPECT_NEAR(r[0].contact_distance_mean, 0.0005, 0.0015);
  EXPECT_GT(r[1].contact_distance_mean, 0.02);
  // Eval file and summary.
  const fs::path dir = temp_dir("outputs");
  EvalFileRecord rec;
  rec.input = f.box;
  rec.output = dir / "box.eval.h5";
  rec.object_name = "box";
  rec.hand = "panda";
  rec.grasp_type = "full";
  rec.energy = "hand-made";
  rec.root_pose = d.root_pose;
  rec.joints = d.joints;
  rec.lower = f.panda.lower_limits();
  rec.upper = f.panda.upper_limits();
  rec.joint_names = {"panda_finger_joint1"};
  rec.results = r;
  write_eval_file(rec, o);
  EXPECT_EQ(read_eval_success(rec.output), (std::vector<int>{1, 0}));
  const auto summary = eval_file_summary(rec, o);
  EXPECT_DOUBLE_EQ(summary["success_rate"].get<double>(), 0.5);
  const auto report = eval_report({summary}, o, 1.0, 2);
  EXPECT_DOUBLE_EQ(report["success_rate"].get<double>(), 0.5);
  EXPECT_EQ(report["protocol"]["name"], "graspqp");
  const std::string md = eval_report_markdown(report);
  EXPECT_NE(md.find("| box | panda |"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ConvexDecomposition, ConcaveObjectSplitsAndCaches) {
  // An L-shaped solid (two boxes sharing a face region) is not convex: HACD must split it.
  TriangleMesh a = make_box(Vec3(0.08, 0.02, 0.02));
  TriangleMesh b = make_box(Vec3(0.02, 0.08, 0.02));
  transform_mesh(a, Eigen::Isometry3d(Eigen::Translation3d(0.03, 0, 0)));
  transform_mesh(b, Eigen::Isometry3d(Eigen::Translation3d(0, 0.03, 0)));
  EXPECT_GT(hull_concavity(a), -1.0);
  EXPECT_LT(hull_concavity(a), 1e-6);  // a box is convex
  const fs::path dir = temp_dir("hacd");
  TriangleMesh l = a;
  append_mesh(l, b);
  write_obj(dir / "l.obj", l);
  // Components are found first (two boxes), and each is convex.
  EXPECT_EQ(connected_components(l).size(), 2u);
  // A real concave mesh: the mug.
  const fs::path mug = test::object_path("ycb/mug/textured.obj");
  HacdOptions ho;
  const auto first = object_convex_parts(mug, 1.0, ho, dir / "cache");
  EXPECT_EQ(first.source, "hacd");
  EXPECT_GT(first.parts.size(), 8u);
  const auto second = object_convex_parts(mug, 1.0, ho, dir / "cache");
  EXPECT_EQ(second.source.rfind("cache:", 0), 0u);
  ASSERT_EQ(second.parts.size(), first.parts.size());
  for (size_t i = 0; i < first.parts.size(); ++i) {
    const auto a = first.parts[i].bounding_box(), b = second.parts[i].bounding_box();
    EXPECT_NEAR((a.min() - b.min()).norm() + (a.max() - b.max()).norm(), 0, 1e-8);
    // Exactly the same parts, vertex for vertex in the same order: the scene (masses, hulls, and so the
    // simulation) must not depend on whether the parts were computed or read back.
    ASSERT_EQ(first.parts[i].vertices.size(), second.parts[i].vertices.size()) << i;
    for (size_t v = 0; v < first.parts[i].vertices.size(); ++v)
      EXPECT_TRUE(first.parts[i].vertices[v] == second.parts[i].vertices[v]) << i << " " << v;
    EXPECT_TRUE(first.parts[i].faces == second.parts[i].faces) << i;
  }
  // Every part is a closed convex solid with positive volume.
  for (const auto& p : first.parts) {
    EXPECT_EQ(count_open_edges(p), 0);
    EXPECT_GT(mesh_mass_properties(p).volume, 0);
  }
  // User-supplied parts win over the cache.
  fs::create_directories(dir / "parts");
  write_obj(dir / "parts" / "a.obj", make_box(Vec3(0.05, 0.05, 0.05)));
  const auto user = object_convex_parts(mug, 2.0, ho, dir / "cache", dir / "parts");
  EXPECT_EQ(user.source, "user:" + (dir / "parts").string());
  ASSERT_EQ(user.parts.size(), 1u);
  EXPECT_NEAR(user.parts[0].bounding_box().sizes().x(), 0.1, 1e-6);  // scaled by 2
  fs::remove_all(dir);
}

TEST(ConvexDecomposition, FlatPartsGetThickness) {
  std::vector<Vec3> square = {Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(1, 1, 0)};
  const TriangleMesh h = solid_convex_hull(square, 1e-3);
  ASSERT_FALSE(h.faces.empty());
  EXPECT_NEAR(h.bounding_box().sizes().z(), 1e-3, 1e-6);
  EXPECT_GT(mesh_mass_properties(h).volume, 0);
}

TEST(SimModel, MassPropertiesOfABox) {
  TriangleMesh box = make_box(Vec3(0.1, 0.2, 0.3));
  transform_mesh(box, Eigen::Isometry3d(Eigen::Translation3d(1, 2, 3)));
  const MassProperties mp = mesh_mass_properties(box);
  EXPECT_NEAR(mp.volume, 0.006, 1e-12);
  EXPECT_NEAR((mp.com - Vec3(1, 2, 3)).norm(), 0, 1e-9);
  EXPECT_NEAR(mp.inertia(0, 0), (0.04 + 0.09) / 12, 1e-9);
  EXPECT_NEAR(mp.inertia(2, 2), (0.01 + 0.04) / 12, 1e-9);
  EXPECT_NEAR(mp.inertia(0, 1), 0, 1e-9);
}

TEST(SimCli, EvalWritesOutputsAndLeavesTheInputUntouched) {
  auto& f = box_fixture();
  const fs::path dir = temp_dir("cli");
  GraspDataset d = panda_grasps({kHold, kOpen});
  const int n = d.n_grasps(), k = 2;
  d.object_path = f.box.string();
  d.object_sha256 = "0";
  d.program_version = "test";
  d.energy_terms = GraspDataset::RowMajorMatrix<double>::Zero(n, 1);
  d.energy_term_names = {"fc"};
  d.contact_points.assign(n * k * 3, 0.0);
  d.contact_normals.assign(n * k * 3, 0.0);
  d.contact_links.assign(n * k, "panda_leftfinger");
  d.contact_forces = GraspDataset::RowMajorMatrix<double>::Zero(n, k);
  d.parameters_json = "{}";
  fs::create_directories(dir / "in" / "box");
  const fs::path input = dir / "in" / "box" / "panda-full-test.h5";
  write_grasp_file(input, d);
  const auto before = fs::last_write_time(input);
  const auto size = fs::file_size(input);
  std::string out, err;
  const std::string cmd = test::cli_path() + " eval --grasps " + (dir / "in").string() + " --out " +
                          (dir / "out").string() + " --threads 2 --no-plots --set check_interval=0.1";
  ASSERT_EQ(test::run_command(cmd, &out, &err), 0) << err;
  EXPECT_EQ(fs::last_write_time(input), before);
  EXPECT_EQ(fs::file_size(input), size);
  const fs::path eval_file = dir / "out" / "box" / "panda-full-test.eval.h5";
  ASSERT_TRUE(fs::exists(eval_file));
  EXPECT_EQ(read_eval_success(eval_file), (std::vector<int>{1, 0}));
  std::ifstream rj(dir / "out" / "report.json");
  const auto report = nlohmann::json::parse(rj);
  EXPECT_DOUBLE_EQ(report["success_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report["protocol"]["check_interval"].get<double>(), 0.1);  // the exact protocol is recorded
  EXPECT_EQ(report["files"][0]["object"], "box");
  EXPECT_TRUE(fs::exists(dir / "out" / "report.md"));
  EXPECT_NE(err.find("[eval]"), std::string::npos);  // progress on stderr
  // One-line errors.
  ASSERT_NE(test::run_command(test::cli_path() + " eval --grasps " + input.string() + " --out " +
                                  (dir / "out2").string() + " --protocol isaac",
                              &out, &err),
            0);
  EXPECT_NE(err.find("unknown protocol 'isaac'"), std::string::npos);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  fs::remove_all(dir);
}

TEST(SimEval, MeasureFromSettledSeparatesTheClosingPush) {
  // A 1 cm thick plate 3.4 cm off-centre between the wide-open fingers: closing pushes it 3.4 cm to the
  // centre, then it is held. Measured from its initial pose the push alone fails the 3 cm rule.
  auto& f = box_fixture();
  const fs::path dir = temp_dir("plate");
  TriangleMesh plate = make_box(Vec3(0.04, 0.01, 0.04));
  transform_mesh(plate, Eigen::Isometry3d(Eigen::Translation3d(0, -0.034, 0)));
  write_obj(dir / "plate.obj", plate);
  ObjectLoadOptions lo;
  lo.surface_samples = 200;
  const ObjectModel object = load_object(dir / "plate.obj", lo);
  // Hand frame 3.4 cm to the +y of the plate's centre would put the plate at hand y = -0.034.
  GraspDataset d = panda_grasps({{0.04, -0.04, 0.0}});
  EvalOptions o = options_for("graspqp");
  apply_protocol_setting(o.protocol, "settle_time=0.8");
  const auto initial = evaluate_grasps(f.panda, object, d, o);
  EXPECT_FALSE(initial[0].success);
  EXPECT_GT(initial[0].max_translation, 0.03);
  apply_protocol_setting(o.protocol, "measure_from_settled=true");
  const auto settled = evaluate_grasps(f.panda, object, d, o);
  EXPECT_TRUE(settled[0].success);
  EXPECT_GT(settled[0].settle_translation, 0.03);
  EXPECT_LT(settled[0].max_translation, 0.01);
  fs::remove_all(dir);
}

// The tests of a trial share their settle phase (simulated once, copied): each test's outcome equals a
// protocol that holds that test alone (where nothing is shared), to the last bit.
TEST(SimEval, SharedSettleEqualsEachTestAlone) {
  auto& f = box_fixture();
  const GraspDataset d = panda_grasps({kHold, kOpen, kFar, {0.0085, -0.01, 0.004}});
  for (const char* magnitude : {"magnitude=3", "magnitude=40"}) {
    EvalOptions o = options_for("graspqp");
    apply_protocol_setting(o.protocol, magnitude);
    const auto all_tests = evaluate_grasps(f.panda, f.object, d, o);
    const SimProtocol whole = o.protocol;
    std::vector<double> max_translation(d.n_grasps(), 0.0);
    for (size_t t = 0; t < whole.tests.size(); ++t) {
      o.protocol.tests = {whole.tests[t]};
      o.protocol.test_names = {whole.test_names[t]};
      const auto alone = evaluate_grasps(f.panda, f.object, d, o);
      for (int i = 0; i < d.n_grasps(); ++i) {
        EXPECT_EQ(all_tests[i].test_success[t], alone[i].test_success[0])
            << magnitude << " grasp " << i << " test " << t;
        max_translation[i] = std::max(max_translation[i], alone[i].max_translation);
        if (t == 0) EXPECT_EQ(all_tests[i].settle_translation, alone[i].settle_translation);
      }
    }
    for (int i = 0; i < d.n_grasps(); ++i) EXPECT_EQ(all_tests[i].max_translation, max_translation[i]) << i;
  }
}

// stop_at_verdict skips the tests after the verdict and keeps the verdict, under both trial rules.
TEST(SimEval, StopAtVerdictKeepsTheVerdict) {
  auto& f = box_fixture();
  const GraspDataset d = panda_grasps({kHold, kOpen, kFar});
  for (const char* rule : {"trial_rule=any", "trial_rule=all"}) {
    EvalOptions o = options_for("graspqp");
    apply_protocol_setting(o.protocol, rule);
    const auto full = evaluate_grasps(f.panda, f.object, d, o);
    o.protocol.stop_at_verdict = true;
    const auto fast = evaluate_grasps(f.panda, f.object, d, o);
    int skipped = 0;
    for (int i = 0; i < d.n_grasps(); ++i) {
      EXPECT_EQ(fast[i].success, full[i].success) << rule << " grasp " << i;
      EXPECT_EQ(full[i].tests_skipped, 0);
      skipped += fast[i].tests_skipped;
    }
    EXPECT_GT(skipped, 0) << rule;  // the hold stops after one test (any), the open hand after one (all)
  }
}
