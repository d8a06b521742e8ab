// Generation end to end: determinism across thread counts, resume, refusal of mismatched files,
// object discovery, file contents consistent with the model, and clean errors on bad input.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/metrics/analyze.hpp>
#include <graspqp/sim/evaluate.hpp>
#include <graspqp/sim/settle.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("graspqp_gen_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

GenerateOptions small_options(const fs::path& out) {
  GenerateOptions o;
  o.hand = "allegro";
  o.grasps = 6;
  o.contacts = 8;
  o.sampler.iterations = 80;
  o.sampler.reset_period = 20;  // exercise resets in a short run
  o.surface_samples = 500;
  o.out = out;
  return o;
}

// The object of a generated file, loaded as generate loaded it.
ObjectModel generated_object(const GenerateOptions& o, const GraspDataset& d) {
  ObjectLoadOptions lo;
  lo.surface_samples = o.surface_samples;
  lo.seed = o.seed;
  return load_object(d.object_path, lo);
}

const std::vector<ObjectSource> apple() { return name_objects({test::object_path("misc/apple.ply")}); }

TEST(Generate, SameResultForAnyThreadCount) {
  const fs::path a = temp_dir("t1"), b = temp_dir("t2");
  GenerateOptions o1 = small_options(a), o2 = small_options(b);
  o1.threads = 1;
  o2.threads = 2;
  generate_dataset(o1, apple());
  generate_dataset(o2, apple());
  const GraspDataset d1 = read_grasp_file(grasp_file_path(o1, "apple"));
  const GraspDataset d2 = read_grasp_file(grasp_file_path(o2, "apple"));
  EXPECT_EQ(d1.root_pose, d2.root_pose);
  EXPECT_EQ(d1.joints, d2.joints);
  EXPECT_EQ(d1.energy, d2.energy);
  EXPECT_EQ(d1.contact_idx, d2.contact_idx);
  // A different seed gives different grasps.
  const fs::path c = temp_dir("t3");
  GenerateOptions o3 = small_options(c);
  o3.seed = 2;
  generate_dataset(o3, apple());
  EXPECT_NE(read_grasp_file(grasp_file_path(o3, "apple")).joints, d1.joints);
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

// Objects are pipelined (one in flight per thread): files and the report order do not depend on it.
TEST(Generate, PipelinedObjectsGiveTheSameFilesForAnyThreadCount) {
  const fs::path a = temp_dir("p1"), b = temp_dir("p2");
  GenerateOptions o1 = small_options(a), o2 = small_options(b);
  o1.threads = 1;
  o2.threads = 2;
  o1.validate = o2.validate = make_protocol("graspqp");
  const auto objects = name_objects({test::object_path("misc/apple.ply"), test::object_path("ycb/banana/textured.obj"),
                                     test::object_path("ycb/mug/textured.obj")});
  const auto r1 = generate_dataset(o1, objects);
  const auto r2 = generate_dataset(o2, objects);
  ASSERT_EQ(r1.size(), 3u);
  for (size_t k = 0; k < objects.size(); ++k) {
    EXPECT_EQ(r1[k].name, objects[k].name);
    EXPECT_EQ(r2[k].name, objects[k].name);
    EXPECT_EQ(r1[k].valid, r2[k].valid);
    const GraspDataset d1 = read_grasp_file(grasp_file_path(o1, objects[k].name));
    const GraspDataset d2 = read_grasp_file(grasp_file_path(o2, objects[k].name));
    EXPECT_EQ(d1.joints, d2.joints) << objects[k].name;
    EXPECT_EQ(d1.root_pose, d2.root_pose) << objects[k].name;
    EXPECT_EQ(d1.extra.at("valid"), d2.extra.at("valid")) << objects[k].name;
  }
  for (const auto& d : {a, b}) fs::remove_all(d);
}

TEST(Generate, FileContentsAgreeWithTheModel) {
  const fs::path out = temp_dir("contents");
  GenerateOptions o = small_options(out);
  generate_dataset(o, apple());
  const GraspDataset d = read_grasp_file(grasp_file_path(o, "apple"));
  ASSERT_EQ(d.n_grasps(), 6);
  EXPECT_EQ(d.hand, "allegro");
  EXPECT_EQ(d.grasp_type, "full");
  EXPECT_EQ(d.energy_name, "graspqp");
  EXPECT_EQ(d.object_sha256.size(), 64u);
  EXPECT_EQ(d.joint_names.size(), 16u);
  EXPECT_EQ(d.n_contacts(), 8);
  const auto params = nlohmann::json::parse(d.parameters_json);
  EXPECT_EQ(params["weights"]["dis"], 100.0);
  EXPECT_EQ(params["optimizer"]["iterations"], 80);

  // Recompute each grasp's energy and contacts from the stored state.
  const HandModel hand = load_hand("allegro");
  ObjectLoadOptions lo;
  lo.surface_samples = 500;
  lo.seed = o.seed;
  const ObjectModel object = load_object(d.object_path, lo);
  EXPECT_LT((object.center - d.object_center).norm(), 1e-12);
  const auto states = dataset_states(d);
  EnergyWorkspace ws(hand);
  EnergyTerms terms;
  for (int b = 0; b < d.n_grasps(); ++b) {
    EXPECT_GE(d.root_pose(b, 3), 0.0);
    EXPECT_NEAR(d.root_pose.row(b).tail<4>().norm(), 1.0, 1e-12);
    std::vector<int> contacts(d.contact_idx.row(b).data(), d.contact_idx.row(b).data() + d.n_contacts());
    const double E =
        grasp_energy(hand, hand.grasp_type("full"), object, EnergyConfig{}, states[b], contacts, ws, terms, nullptr);
    EXPECT_NEAR(E, d.energy[b], 1e-6 * std::max(1.0, std::abs(E)));
    for (int i = 0; i < d.n_contacts(); ++i) {
      const size_t row = static_cast<size_t>(b) * d.n_contacts() + i;
      const Vec3 p(d.contact_points[3 * row], d.contact_points[3 * row + 1], d.contact_points[3 * row + 2]);
      EXPECT_LT((p - ws.points.row(i).transpose()).norm(), 1e-9);
      const Vec3 n(d.contact_normals[3 * row], d.contact_normals[3 * row + 1], d.contact_normals[3 * row + 2]);
      EXPECT_NEAR(n.norm(), 1.0, 1e-9);
      EXPECT_EQ(d.contact_links[row], hand.links[hand.grasp_type("full").candidates[contacts[i]].link].name);
      EXPECT_GE(d.contact_forces(b, i), 4 * 1.0 - 1e-9);  // every cone edge pushes with lambda >= 1
    }
    EXPECT_TRUE(d.closing_delta.row(b).allFinite());
  }
  // Pregrasp and squeeze: within the joint limits, recorded amounts, and what they are for, measured on
  // the object: the pregrasp moves the contacts out of the object, the squeeze into it.
  EXPECT_EQ(params["poses"]["pregrasp_scale"], 0.25);
  EXPECT_EQ(params["poses"]["closing"], "balanced");
  EXPECT_EQ(params["poses"]["squeeze_scale"], 0.25);
  ASSERT_EQ(d.pregrasp_joints.rows(), d.n_grasps());
  ASSERT_EQ(d.squeeze_joints.rows(), d.n_grasps());
  double grasp_sum = 0, pregrasp_sum = 0, squeeze_sum = 0;
  HandData data(hand);
  const GraspType& full = hand.grasp_type("full");
  auto mean_contact_distance = [&](int b, const Eigen::VectorXd& q) {
    const Eigen::Quaterniond rot(d.root_pose(b, 3), d.root_pose(b, 4), d.root_pose(b, 5), d.root_pose(b, 6));
    forward_kinematics(hand, make_state(d.root_pose.row(b).head<3>().transpose(), rot.toRotationMatrix(), q), data);
    double sum = 0;
    for (int i = 0; i < d.n_contacts(); ++i) {
      const ContactCandidate& c = full.candidates[d.contact_idx(b, i)];
      sum += object.sdf->query(data.to_world(c.link, c.position)).distance;
    }
    return sum / d.n_contacts();
  };
  for (int b = 0; b < d.n_grasps(); ++b) {
    const Eigen::VectorXd q = d.joints.row(b).transpose(), delta = d.closing_delta.row(b).transpose();
    const Eigen::VectorXd pre = d.pregrasp_joints.row(b).transpose(), sq = d.squeeze_joints.row(b).transpose();
    EXPECT_TRUE((pre.array() >= hand.lower_limits().array()).all() &&
                (pre.array() <= hand.upper_limits().array()).all());
    EXPECT_TRUE((sq.array() >= hand.lower_limits().array()).all() && (sq.array() <= hand.upper_limits().array()).all());
    for (int a = 0; a < hand.dof(); ++a) {  // where no limit clamps, exactly a quarter of the command
      const double lo = hand.lower_limits()[a], hi = hand.upper_limits()[a];
      if (q[a] - 0.25 * delta[a] > lo && q[a] - 0.25 * delta[a] < hi)
        EXPECT_NEAR(pre[a], q[a] - 0.25 * delta[a], 1e-12);
      if (q[a] + 0.25 * delta[a] > lo && q[a] + 0.25 * delta[a] < hi) EXPECT_NEAR(sq[a], q[a] + 0.25 * delta[a], 1e-12);
    }
    grasp_sum += mean_contact_distance(b, q);
    pregrasp_sum += mean_contact_distance(b, pre);
    squeeze_sum += mean_contact_distance(b, sq);
  }
  const double n = d.n_grasps();
  EXPECT_GT(pregrasp_sum / n, grasp_sum / n + 0.002) << "pregrasp contacts should be millimetres further out";
  EXPECT_LT(squeeze_sum / n, grasp_sum / n - 0.002) << "squeeze contacts should be millimetres further in";
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  fs::remove_all(out);
}

TEST(Generate, ResumesAndRefusesMismatchedFiles) {
  const fs::path out = temp_dir("resume");
  GenerateOptions o = small_options(out);
  auto first = generate_dataset(o, apple());
  ASSERT_EQ(first[0].status, "generated");
  const auto stamp = fs::last_write_time(grasp_file_path(o, "apple"));
  auto second = generate_dataset(o, apple());
  EXPECT_EQ(second[0].status, "skipped");
  EXPECT_EQ(fs::last_write_time(grasp_file_path(o, "apple")), stamp);
  // Threads are not a parameter of the result.
  o.threads = 1;
  EXPECT_EQ(generate_dataset(o, apple())[0].status, "skipped");
  GenerateOptions other = o;
  other.seed = 99;
  try {
    generate_dataset(other, apple());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different parameters"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::last_write_time(grasp_file_path(o, "apple")), stamp);  // untouched
  other.overwrite = true;
  EXPECT_EQ(generate_dataset(other, apple())[0].status, "generated");
  // --overwrite redoes only what differs: the file now has `other`'s parameters and is skipped.
  EXPECT_EQ(generate_dataset(other, apple())[0].status, "skipped");
  fs::remove_all(out);
}

TEST(Generate, ValidateMarksGraspsAsTheEvaluatorDoes) {
  const fs::path out = temp_dir("validate");
  GenerateOptions o = small_options(out);
  o.grasps = 4;
  o.threads = 2;
  o.validate = make_protocol("graspqp");
  const auto reports = generate_dataset(o, apple());
  ASSERT_EQ(reports[0].status, "generated") << reports[0].error;
  const GraspDataset d = read_grasp_file(grasp_file_path(o, "apple"));
  for (const char* name : {"valid", "valid_any", "valid_all", "sim_max_translation"})
    ASSERT_TRUE(d.extra.count(name)) << name;
  // The flags are exactly what a separate evaluation of the stored grasps gives.
  const HandModel hand = load_hand("allegro");
  const ObjectModel object = generated_object(o, d);
  EvalOptions e;
  e.protocol = *o.validate;
  e.threads = 1;
  e.analytic_metrics = false;
  const auto results = evaluate_grasps(hand, object, d, e);
  int valid = 0;
  for (int i = 0; i < d.n_grasps(); ++i) {
    EXPECT_EQ(d.extra.at("valid")[i], results[i].success ? 1.0 : 0.0) << i;
    EXPECT_EQ(d.extra.at("valid_any")[i], results[i].success_any ? 1.0 : 0.0) << i;
    EXPECT_EQ(d.extra.at("valid_all")[i], results[i].success_all ? 1.0 : 0.0) << i;
    EXPECT_EQ(d.extra.at("sim_max_translation")[i], results[i].max_translation) << i;
    valid += results[i].success;
  }
  EXPECT_EQ(reports[0].valid, valid);
  // The protocol is a parameter: stored, and a different one is refused on resume.
  const auto params = nlohmann::json::parse(d.parameters_json);
  EXPECT_EQ(params["validate"]["name"], "graspqp");
  EXPECT_EQ(generate_dataset(o, apple())[0].valid, valid);  // skipped, count read back
  GenerateOptions other = o;
  apply_protocol_setting(*other.validate, "magnitude=5");
  EXPECT_THROW(generate_dataset(other, apple()), Error);
  fs::remove_all(out);
  // Above, validation reused the settling's scene (same model); a protocol of other physics builds its own,
  // and its verdicts are again those of a separate evaluation.
  GenerateOptions fast = small_options(out);
  fast.grasps = 4;
  fast.threads = 2;
  fast.validate = make_protocol("graspqp-fast");
  ASSERT_EQ(generate_dataset(fast, apple())[0].status, "generated");
  const GraspDataset f = read_grasp_file(grasp_file_path(fast, "apple"));
  e.protocol = *fast.validate;
  const auto fast_results = evaluate_grasps(hand, generated_object(fast, f), f, e);
  for (int i = 0; i < f.n_grasps(); ++i) {
    EXPECT_EQ(f.extra.at("valid")[i], fast_results[i].success ? 1.0 : 0.0) << i;
    EXPECT_EQ(f.extra.at("sim_max_translation")[i], fast_results[i].max_translation) << i;
  }
  fs::remove_all(out);
}

TEST(Generate, SettleStoresTheSettledGraspsWithTheirEnergies) {
  const fs::path plain_out = temp_dir("settle_plain"), out = temp_dir("settle"), mid_out = temp_dir("settle_mid");
  GenerateOptions plain = small_options(plain_out);
  plain.grasps = 4;
  plain.threads = 2;
  plain.settle.reset();
  GenerateOptions o = plain;
  o.out = out;
  o.settle = make_protocol("graspqp");
  o.settle_threshold = 0;  // every grasp replaced
  ASSERT_EQ(generate_dataset(plain, apple())[0].status, "generated");
  const auto reports = generate_dataset(o, apple());
  ASSERT_EQ(reports[0].status, "generated") << reports[0].error;
  const GraspDataset before = read_grasp_file(grasp_file_path(plain, "apple"));
  const GraspDataset d = read_grasp_file(grasp_file_path(o, "apple"));
  ASSERT_TRUE(d.extra.count("settle_translation") && d.extra.count("settled"));
  EXPECT_FALSE(before.extra.count("settle_translation"));
  // Each stored grasp is what settling the optimized one gives (the synthesis is the same with or without).
  const HandModel hand = load_hand("allegro");
  const ObjectModel object = generated_object(o, d);
  EvalOptions e;
  e.protocol = *o.settle;
  e.threads = 1;
  const auto scene = build_sim_scene(hand, object, e.protocol, SimSceneOptions{});
  const auto settled = settle_grasps(*scene, hand, dataset_sim_grasps(hand, before), e);
  const GraspType& type = hand.grasp_type("full");
  EnergyWorkspace ws(hand);
  for (int b = 0; b < d.n_grasps(); ++b) {
    ASSERT_TRUE(settled[b].error.empty()) << settled[b].error;
    EXPECT_LT((d.root_pose.row(b).head<3>().transpose() - settled[b].root_pose.head<3>()).norm(), 1e-12) << b;
    EXPECT_LT((d.joints.row(b).transpose() - settled[b].joints).norm(), 1e-12) << b;
    EXPECT_EQ(d.extra.at("settle_translation")[b], settled[b].object_translation) << b;
    EXPECT_EQ(d.extra.at("settled")[b], 1.0) << b;
    EXPECT_EQ(d.contact_idx.row(b), before.contact_idx.row(b)) << b;
    // The energy columns describe the stored (settled) pose.
    const Eigen::Quaterniond q(d.root_pose(b, 3), d.root_pose(b, 4), d.root_pose(b, 5), d.root_pose(b, 6));
    const Eigen::VectorXd x =
        make_state(d.root_pose.row(b).head<3>().transpose(), q.toRotationMatrix(), d.joints.row(b).transpose());
    std::vector<int> contacts(d.contact_idx.cols());
    for (int i = 0; i < d.contact_idx.cols(); ++i) contacts[i] = d.contact_idx(b, i);
    EnergyTerms terms;
    EXPECT_NEAR(d.energy[b], grasp_energy(hand, type, object, o.energy, x, contacts, ws, terms, nullptr),
                1e-9 * (1 + std::abs(d.energy[b])))
        << b;
  }
  EXPECT_NE(d.joints, before.joints);
  // With a threshold between the smallest and largest push, the grasps pushed further are replaced and the
  // others are stored exactly as optimized.
  std::vector<double> pushes(settled.size());
  for (size_t b = 0; b < settled.size(); ++b) pushes[b] = settled[b].object_translation;
  std::sort(pushes.begin(), pushes.end());
  ASSERT_LT(pushes.front(), pushes.back());
  GenerateOptions mid = o;
  mid.out = mid_out;
  mid.settle_threshold = 0.5 * (pushes[1] + pushes[2]);
  ASSERT_EQ(generate_dataset(mid, apple())[0].status, "generated");
  const GraspDataset m = read_grasp_file(grasp_file_path(mid, "apple"));
  int replaced = 0;
  for (int b = 0; b < m.n_grasps(); ++b) {
    const bool pushed = settled[b].object_translation > mid.settle_threshold;
    const GraspDataset& expected = pushed ? d : before;
    EXPECT_EQ(m.root_pose.row(b), expected.root_pose.row(b)) << b;
    EXPECT_EQ(m.joints.row(b), expected.joints.row(b)) << b;
    EXPECT_EQ(m.energy[b], expected.energy[b]) << b;
    EXPECT_EQ(m.extra.at("settled")[b], pushed ? 1.0 : 0.0) << b;
    replaced += pushed;
  }
  EXPECT_EQ(replaced, 2);
  // The settle protocol and threshold are parameters: stored, and different ones are refused on resume.
  const auto params = nlohmann::json::parse(d.parameters_json);
  EXPECT_EQ(params["settle"]["name"], "graspqp");
  EXPECT_EQ(params["settle_threshold"], 0.0);
  GenerateOptions other = o;
  apply_protocol_setting(*other.settle, "settle_time=0.5");
  EXPECT_THROW(generate_dataset(other, apple()), Error);
  other = o;
  other.settle_threshold = 0.01;
  EXPECT_THROW(generate_dataset(other, apple()), Error);
  fs::remove_all(plain_out);
  fs::remove_all(out);
  fs::remove_all(mid_out);
}

// --depenetrate: every stored grasp starts (at the grasp pose under graspqp; dexgraspbench starts at the pregrasp,
// tests/test_settle.cpp) with no hand-object contact
// deeper than the tolerance, as a separate evaluation measures it; the shift is how far the root moved,
// rotations and joints are kept, and the validation under the same protocol reuses that scene.
TEST(Generate, DepenetrateLeavesNoStartDeeperThanTheTolerance) {
  const fs::path plain_out = temp_dir("depen_plain"), out = temp_dir("depen");
  GenerateOptions plain = small_options(plain_out);
  plain.grasps = 4;
  plain.threads = 2;
  plain.sampler.iterations = 300;  // hands on the object
  plain.validate = make_protocol("graspqp");
  plain.validate->stop_at_verdict = true;
  GenerateOptions o = plain;
  o.out = out;
  o.depenetrate = make_protocol("graspqp");
  o.depenetrate_tolerance = 2e-4;
  ASSERT_EQ(generate_dataset(plain, apple())[0].status, "generated");
  const auto reports = generate_dataset(o, apple());
  ASSERT_EQ(reports[0].status, "generated") << reports[0].error;
  const GraspDataset before = read_grasp_file(grasp_file_path(plain, "apple"));
  const GraspDataset d = read_grasp_file(grasp_file_path(o, "apple"));
  ASSERT_TRUE(d.extra.count("depenetrate_shift"));
  EXPECT_FALSE(before.extra.count("depenetrate_shift"));
  const HandModel hand = load_hand("allegro");
  EvalOptions e;
  e.protocol = make_protocol("graspqp");
  e.threads = 1;
  e.analytic_metrics = false;
  const auto was = evaluate_grasps(hand, generated_object(plain, before), before, e);
  const auto now = evaluate_grasps(hand, generated_object(o, d), d, e);
  int moved = 0;
  for (int b = 0; b < d.n_grasps(); ++b) {
    EXPECT_LE(now[b].initial_penetration, o.depenetrate_tolerance + 1e-9) << b;
    const double shift = (d.root_pose.row(b).head<3>() - before.root_pose.row(b).head<3>()).norm();
    EXPECT_NEAR(d.extra.at("depenetrate_shift")[b], shift, 1e-12) << b;
    EXPECT_EQ(d.root_pose.row(b).tail<4>(), before.root_pose.row(b).tail<4>()) << b;
    EXPECT_EQ(d.joints.row(b), before.joints.row(b)) << b;
    if (was[b].initial_penetration <= o.depenetrate_tolerance) EXPECT_EQ(shift, 0.0) << b;
    moved += shift > 0;
  }
  EXPECT_GT(moved, 0);  // the case was exercised
  // The validation's verdicts are a separate evaluation's, and the protocol and tolerance are parameters.
  e.protocol = *o.validate;
  const auto verdicts = evaluate_grasps(hand, generated_object(o, d), d, e);
  for (int b = 0; b < d.n_grasps(); ++b) EXPECT_EQ(d.extra.at("valid")[b], verdicts[b].success ? 1.0 : 0.0) << b;
  const auto params = nlohmann::json::parse(d.parameters_json);
  EXPECT_EQ(params["depenetrate"]["name"], "graspqp");
  EXPECT_EQ(params["depenetrate_tolerance"], 2e-4);
  GenerateOptions other = o;
  other.depenetrate_tolerance = 0.001;
  EXPECT_THROW(generate_dataset(other, apple()), Error);
  fs::remove_all(plain_out);
  fs::remove_all(out);
}

TEST(Generate, InitializationFromTheHandAndTheUser) {
  // 0 iterations and no settling: the files hold the initial states. The hand.json "init" values apply, user
  // overrides win.
  const fs::path out = temp_dir("init");
  fs::copy(test::hand_dir("allegro"), out / "hand", fs::copy_options::recursive);
  auto hand_json = nlohmann::json::parse(std::ifstream(out / "hand" / "hand.json"));
  hand_json["init"]["distance_lower"] = 0.3;
  hand_json["init"]["distance_upper"] = 0.3;
  std::ofstream(out / "hand" / "hand.json") << hand_json.dump(2);
  auto root_distances = [&](GenerateOptions o) {
    o.settle.reset();
    generate_dataset(o, apple());
    const GraspDataset d = read_grasp_file(grasp_file_path(o, "apple"));
    std::vector<double> r;
    for (int i = 0; i < d.n_grasps(); ++i)
      r.push_back((d.root_pose.row(i).head<3>().transpose() - d.object_center).norm());
    return std::make_pair(r, nlohmann::json::parse(d.parameters_json)["init"]);
  };
  GenerateOptions o = small_options(out / "a");
  o.sampler.iterations = 1;  // (nearly) the initial poses
  const auto [bundled, bundled_params] = root_distances(o);
  o.hand = (out / "hand").string();
  o.out = out / "b";
  const auto [far, far_params] = root_distances(o);
  o.init_overrides["distance_lower"] = 0.12;
  o.init_overrides["distance_upper"] = 0.12;
  o.out = out / "c";
  const auto [user, user_params] = root_distances(o);
  EXPECT_EQ(bundled_params["distance_lower"], 0.05);
  EXPECT_EQ(far_params["distance_lower"], 0.3);
  EXPECT_EQ(user_params["distance_upper"], 0.12);
  for (size_t i = 0; i < bundled.size(); ++i) {
    EXPECT_LT(bundled[i], 0.25);
    EXPECT_GT(far[i], 0.3);
    EXPECT_GT(user[i], 0.12);
    EXPECT_LT(user[i], 0.25);
  }
  // Unknown keys and inverted ranges are refused.
  o.init_overrides["distance_upper"] = 0.01;
  EXPECT_THROW(generate_dataset(o, apple()), Error);
  hand_json["init"]["stand_off"] = 1;
  std::ofstream(out / "hand" / "hand.json") << hand_json.dump(2);
  try {
    load_hand((out / "hand").string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown init setting 'stand_off'"), std::string::npos) << e.what();
  }
  fs::remove_all(out);
}

TEST(Generate, DiscoversObjectsAndLayouts) {
  const fs::path root = temp_dir("discover");
  const fs::path apple_path = test::object_path("misc/apple.ply");
  fs::create_directories(root / "core-bottle-1" / "coacd");
  fs::copy_file(apple_path, root / "core-bottle-1" / "coacd" / "decomposed.obj");  // content irrelevant here
  fs::copy_file(apple_path, root / "core-bottle-1" / "coacd" / "remeshed.obj");
  fs::copy_file(apple_path, root / "core-bottle-1" / "coacd" / "coacd_convex_piece_0.obj");
  fs::create_directories(root / "ycb" / "mug");
  fs::copy_file(apple_path, root / "ycb" / "mug" / "textured.obj");
  fs::copy_file(apple_path, root / "mug.ply");
  fs::copy_file(apple_path, root / "notes.txt");
  const auto objects = discover_objects(root);
  ASSERT_EQ(objects.size(), 3u);
  std::set<std::string> names;
  for (const auto& o : objects) names.insert(o.name);
  EXPECT_TRUE(names.count("core-bottle-1"));
  EXPECT_TRUE(names.count("mug"));
  EXPECT_TRUE(names.count("mug_2"));  // made unique on collision
  for (const auto& o : objects)
    if (o.name == "core-bottle-1") EXPECT_EQ(o.path.filename(), "remeshed.obj");
  EXPECT_THROW(discover_objects(root / "nope"), Error);
  // Linked folders are followed, each once: a link back up the tree (a loop) and a second link to the
  // same folder add nothing.
  fs::create_directory_symlink(root, root / "ycb" / "mug" / "loop");
  fs::create_directory_symlink(root / "ycb", root / "ycb_again");
  EXPECT_EQ(discover_objects(root).size(), 3u);
  fs::remove_all(root);
}

struct CliError {
  std::string name, args, expected;
  friend void PrintTo(const CliError& c, std::ostream* os) { *os << c.name; }
};
class GenerateErrors : public ::testing::TestWithParam<CliError> {};

TEST_P(GenerateErrors, OneLineAndNonZeroExit) {
  const fs::path dir = temp_dir("err_" + GetParam().name);
  std::ofstream(dir / "empty.obj") << "# nothing\n";
  // A flat square (two triangles, plus two more coplanar ones).
  std::ofstream(dir / "flat.obj")
      << "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 0.5 0\nf 1 2 5\nf 2 3 5\nf 3 4 5\nf 4 1 5\n";
  std::string args = GetParam().args;
  for (auto pos = args.find("{dir}"); pos != std::string::npos; pos = args.find("{dir}"))
    args.replace(pos, 5, dir.string());
  for (auto pos = args.find("{apple}"); pos != std::string::npos; pos = args.find("{apple}"))
    args.replace(pos, 7, test::object_path("misc/apple.ply").string());
  std::string out, err;
  const int rc = test::run_command(test::cli_path() + " generate --iters 5 --grasps 2 " + args, &out, &err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find(GetParam().expected), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GenerateErrors,
    ::testing::Values(
        CliError{"EmptyMesh", "--hand allegro --object {dir}/empty.obj --out {dir}/o", "empty.obj"},
        CliError{"MissingMesh", "--hand allegro --object {dir}/none.obj --out {dir}/o", "none.obj"},
        CliError{"FlatObject", "--hand allegro --object {dir}/flat.obj --out {dir}/o", "degenerate"},
        CliError{"UnknownGraspType", "--hand panda --grasp-type pinch --object {apple} --out {dir}/o",
                 "unknown grasp type 'pinch'"},
        CliError{"UnknownEnergy", "--hand allegro --energy foo --object {apple} --out {dir}/o", "unknown energy 'foo'"},
        CliError{"UnwritableOut", "--hand allegro --object {apple} --out /proc/graspqp_out", "/proc/graspqp_out"},
        CliError{"NoObjects", "--hand allegro --out {dir}/o", "--object"},
        CliError{"UnknownValidateProtocol", "--hand allegro --object {apple} --out {dir}/o --validate isaac",
                 "unknown protocol 'isaac'"},
        CliError{"UnknownSettleProtocol", "--hand allegro --object {apple} --out {dir}/o --settle isaac",
                 "unknown protocol 'isaac'"},
        CliError{"SettleSetWithoutSettle",
                 "--hand allegro --object {apple} --out {dir}/o --settle none --settle-set magnitude=1",
                 "--settle-set needs --settle"},
        CliError{"BadValidateSetting",
                 "--hand allegro --object {apple} --out {dir}/o --validate graspqp --validate-set nope=1", "nope"}),
    [](const auto& info) { return info.param.name; });

// The convex parts of the validation scene come from HACD or from its cache; both must give the same
// scene, so the same file (the cache once stored 9 digits: cached runs differed from fresh ones, and so
// did units of a dataset depending on which process filled the cache first).
TEST(Generate, ValidationIsTheSameWithFreshOrCachedConvexParts) {
  const fs::path cache = temp_dir("parts_cache"), a = temp_dir("fresh"), b = temp_dir("cached");
  const auto mug = name_objects({test::object_path("ycb/mug/textured.obj")});
  GenerateOptions o = small_options(a);
  o.grasps = 3;
  o.sampler.iterations = 30;
  o.validate = make_protocol("graspqp");
  o.validate_cache = cache;
  generate_dataset(o, mug);  // computes the parts and fills the cache
  ASSERT_FALSE(fs::is_empty(cache));
  o.out = b;
  generate_dataset(o, mug);  // reads them back
  const std::string fresh =
      test::read_text(grasp_file_path(o, "mug").string().replace(0, b.string().size(), a.string()));
  EXPECT_FALSE(fresh.empty());
  EXPECT_TRUE(fresh == test::read_text(grasp_file_path(o, "mug")));
}

}  // namespace
}  // namespace graspqp
