// `graspqp hand init`: a hand written from a bundled URDF loads, passes `hand check`, and has its candidates
// on the palmar surfaces (compared with the shipped Allegro annotation); in-place regeneration keeps the
// previous file; a synthetic two-finger URDF built from primitives is onboarded as well; building blocks
// (winding number, sphere cover, default pose rule) behave as documented.
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/onboard/hand_check.hpp>
#include <graspqp/onboard/hand_init.hpp>

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path temp_root(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / ("graspqp_init_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

HandCheckOptions check_options() {
  HandCheckOptions o;
  o.cache_dir = fs::temp_directory_path() / "graspqp_test_hand_parts_cache";
  return o;
}

using test::read_text;

// ---- building blocks ----

TEST(LinkSolid, WindingNumberDepthAndOuterSamples) {
  TriangleMesh box = make_box(Vec3(0.02, 0.04, 0.06));
  const LinkSolid solid(box);
  EXPECT_NEAR(solid.winding_number(Vec3::Zero()), 1.0, 1e-9);
  EXPECT_NEAR(solid.winding_number(Vec3(0.05, 0, 0)), 0.0, 1e-9);
  EXPECT_NEAR(solid.depth(Vec3::Zero()), 0.01, 1e-9);
  // Inverted winding: |w| stays 1 inside (the inward-normal test does not trust the winding).
  TriangleMesh flipped = box;
  for (auto& f : flipped.faces) std::swap(f[1], f[2]);
  EXPECT_NEAR(LinkSolid(flipped).winding_number(Vec3::Zero()), -1.0, 1e-9);
  // Two overlapping boxes: samples on faces buried inside the other box are dropped.
  TriangleMesh two = make_box(Vec3(0.02, 0.02, 0.02));
  TriangleMesh other = make_box(Vec3(0.02, 0.02, 0.02));
  transform_mesh(other, Eigen::Isometry3d(Eigen::Translation3d(0.01, 0, 0)));
  append_mesh(two, other);
  const LinkSolid union_solid(two);
  EXPECT_EQ(union_solid.components(), 2);
  for (const auto& [p, n] : union_solid.outer_samples(400, 3)) {
    EXPECT_LE(union_solid.depth(p), 1.01e-4) << p.transpose();  // on the union's outer surface (0.1 mm)
  }
}

TEST(HandInit, DefaultPoseRule) {
  const HandModel m = load_hand("leap");
  const HandStructure s = analyze_hand_structure(m);
  const Eigen::VectorXd q = suggested_default_pose(m, 0.3, 1.0, &s);
  for (int j = 0; j < m.dof(); ++j) {
    const auto& a = m.joints[j];
    const double z = std::clamp(0.0, a.lower, a.upper), mid = 0.5 * (a.lower + a.upper);
    const bool thumb = m.links[a.link].name.find("thumb") != std::string::npos;
    EXPECT_NEAR(q[j], z + (thumb ? 1.0 : 0.3) * (mid - z), 1e-12) << a.name;
  }
  // The shipped LEAP default pose is this rule (rounded to 1e-4).
  for (int j = 0; j < m.dof(); ++j) EXPECT_NEAR(m.joints[j].default_value, q[j], 1e-4) << m.joints[j].name;
}

TEST(HandInit, StructureOfTheBundledHands) {
  const HandStructure leap = analyze_hand_structure(load_hand("leap"));
  ASSERT_EQ(leap.chains.size(), 4u);
  EXPECT_EQ(leap.chains[0].role, "thumb");
  const HandModel lm = load_hand("leap");
  EXPECT_EQ(lm.links[leap.chains[0].tip].name, "thumb_fingertip");
  EXPECT_EQ(lm.links[leap.chains[1].tip].name, "fingertip");    // index (named by index_tip_head)
  EXPECT_EQ(lm.links[leap.chains[2].tip].name, "fingertip_2");  // middle
  EXPECT_EQ(lm.links[leap.palm_main].name, "palm_lower");

  const HandModel bm = load_hand("barrett");
  const HandStructure b = analyze_hand_structure(bm);
  ASSERT_EQ(b.chains.size(), 3u);
  EXPECT_EQ(bm.links[b.chains[0].tip].name, "finger_3_dist_link");  // the finger opposite the other two
  EXPECT_GT(b.approach_axis.z(), 0.99);

  // Grippers approach along z, as their hand.json says.
  for (const char* h : {"panda", "robotiq2", "robotiq3"})
    EXPECT_GT(analyze_hand_structure(load_hand(h)).approach_axis.z(), 0.98) << h;
}

TEST(HandInit, SpheresCoverABoxLink) {
  // Fit on the Barrett hand: every link gets spheres; links are covered and no two non-adjacent links'
  // spheres overlap at the default pose.
  const HandModel m = load_hand("barrett");
  const auto fit = fit_collision_spheres(m);
  EXPECT_EQ(fit.size(), 9u);
  HandModel with = m;
  with.spheres.clear();
  for (const auto& ls : fit) {
    EXPECT_GT(ls.coverage, 0.25) << m.links[ls.link].name;
    for (const auto& s : ls.spheres) {
      EXPECT_GT(s.radius, 0);
      EXPECT_GT(LinkSolid(m.links[ls.link].collision_mesh).depth(s.center), 0) << "centre inside its link";
      with.spheres.push_back(s);
    }
  }
  HandCheckReport r;
  HandCheckOptions o;
  o.mujoco = false;
  check_hand_model(with, o, r);
  for (const auto& i : r.items)
    if (i.check == "self_collision" || i.check == "spheres") EXPECT_NE(i.level, CheckLevel::Fail) << i.message;
}

// ---- init from a URDF ----

TEST(HandInit, AllegroFromItsUrdfMatchesTheShippedAnnotation) {
  const fs::path root = temp_root("allegro");
  HandInitOptions o;
  o.urdf = test::hand_dir("allegro") / "allegro_hand.urdf";
  o.out = root / "my_allegro";
  const HandInitReport rep = init_hand(o);
  EXPECT_TRUE(fs::exists(o.out / "hand.json"));
  EXPECT_TRUE(fs::exists(o.out / "allegro_hand.urdf"));
  EXPECT_TRUE(fs::exists(o.out / "meshes" / "fingertip_coll.obj"));

  const HandModel mine = load_hand(o.out.string());
  const HandModel shipped = load_hand("allegro");
  EXPECT_TRUE(mine.warnings.empty()) << mine.warnings.front();
  const HandCheckReport check = check_hand(o.out.string(), check_options());
  EXPECT_TRUE(check.passed()) << check.to_text(true);

  // Grasp types: full, precision = thumb + index + middle tips, pinch = thumb + index tips.
  ASSERT_TRUE(mine.has_grasp_type("precision") && mine.has_grasp_type("pinch"));
  auto links_of = [](const HandModel& h, const std::string& t) {
    std::set<std::string> s;
    for (const auto& c : h.grasp_type(t).candidates) s.insert(h.links[c.link].name);
    return s;
  };
  EXPECT_EQ(links_of(mine, "precision"), links_of(shipped, "precision"));
  EXPECT_EQ(links_of(mine, "pinch"), links_of(shipped, "pinch"));
  // The unused fingers start curled, as in the shipped hand.json.
  const json hj = json::parse(read_text(o.out / "hand.json"));
  const json sj = json::parse(read_text(test::hand_dir("allegro") / "hand.json"));
  EXPECT_EQ(hj["grasp_type_init"], sj["grasp_type_init"]);

  // Most generated candidates lie on the links the shipped annotation uses, with normals on the same side.
  const std::set<std::string> shipped_links = links_of(shipped, "full");
  const auto& full = mine.grasp_type("full").candidates;
  int same = 0;
  std::map<std::string, Vec3> mean_mine, mean_shipped;
  for (const auto& c : full) {
    const std::string ln = mine.links[c.link].name;
    if (shipped_links.count(ln)) ++same;
    mean_mine.try_emplace(ln, Vec3::Zero()).first->second += c.normal;
  }
  for (const auto& c : shipped.grasp_type("full").candidates)
    mean_shipped.try_emplace(shipped.links[c.link].name, Vec3::Zero()).first->second += c.normal;
  EXPECT_GE(static_cast<double>(same) / full.size(), 0.8) << same << " of " << full.size();
  int compared = 0, close = 0;
  for (const auto& [ln, n] : mean_mine) {
    auto it = mean_shipped.find(ln);
    if (it == mean_shipped.end()) continue;
    ++compared;
    const double dot = n.normalized().dot(it->second.normalized());
    std::printf("  %-16s mean normal vs shipped: cos %.2f\n", ln.c_str(), dot);
    EXPECT_GT(dot, 0.3) << ln;  // same side
    if (dot > 0.7) ++close;
  }
  EXPECT_GE(compared, 11);
  EXPECT_GE(close, compared - 2);

  // The approach axis points to the palmar side: the shipped palm candidates' normals (+z) and the axis agree.
  EXPECT_GT(rep.structure.approach_axis.dot(Vec3::UnitZ()), 0.7);

  // Refuses to overwrite without force; deterministic with it.
  EXPECT_THROW(init_hand(o), Error);
  const std::string spheres_before = read_text(o.out / "penetration_points.json");
  const std::string contacts_before = read_text(o.out / "contacts" / "index_link_3.obj");
  o.force = true;
  init_hand(o);
  EXPECT_EQ(read_text(o.out / "penetration_points.json"), spheres_before);
  EXPECT_EQ(read_text(o.out / "contacts" / "index_link_3.obj"), contacts_before);
  fs::remove_all(root);
}

TEST(HandInit, LinkModeRefersToTheOriginalFiles) {
  const fs::path root = temp_root("link");
  HandInitOptions o;
  o.urdf = test::hand_dir("barrett") / "bhand_model.urdf";
  o.out = root / "b";
  o.copy = false;
  o.name = "my_barrett";
  init_hand(o);
  EXPECT_FALSE(fs::exists(o.out / "bhand_model.urdf"));
  const json hj = json::parse(read_text(o.out / "hand.json"));
  EXPECT_EQ(hj["name"], "my_barrett");
  EXPECT_NE(hj["urdf"].get<std::string>().find(".."), std::string::npos);
  const HandModel m = load_hand(o.out.string());
  EXPECT_EQ(m.name, "my_barrett");
  EXPECT_EQ(m.grasp_types.size(), 3u);
  fs::remove_all(root);
}

TEST(HandInit, InPlaceSpheresKeepThePreviousFile) {
  const fs::path root = temp_root("inplace");
  const fs::path dir = root / "robotiq2";
  fs::copy(test::hand_dir("robotiq2"), dir, fs::copy_options::recursive);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(dir))
    fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  fs::remove(dir / "penetration_points.orig.json");
  const std::string before = read_text(dir / "penetration_points.json");
  const std::string hand_json = read_text(dir / "hand.json");
  const std::string contacts = read_text(dir / "contact_points.json");
  HandInitOptions o;
  o.hand = dir.string();
  o.only = {"spheres"};
  const HandInitReport rep = init_hand(o);
  EXPECT_EQ(rep.backups, std::vector<std::string>{"penetration_points.orig.json"});
  EXPECT_EQ(read_text(dir / "penetration_points.orig.json"), before);
  EXPECT_EQ(read_text(dir / "hand.json"), hand_json);           // untouched
  EXPECT_EQ(read_text(dir / "contact_points.json"), contacts);  // untouched
  const HandCheckReport r = check_hand(dir.string(), check_options());
  EXPECT_TRUE(r.passed()) << r.to_text(true);
  // A second run keeps the first backup.
  init_hand(o);
  EXPECT_EQ(read_text(dir / "penetration_points.orig.json"), before);
  EXPECT_THROW(
      {
        HandInitOptions bad = o;
        bad.only = {"everything"};
        init_hand(bad);
      },
      Error);
  fs::remove_all(root);
}

// The other bundled URDFs: Shadow (a wrist above the palm, ff/mf/rf/lf names), Ability (palm a fixed sibling
// of the fingers), Robotiq 3F and Panda (a gripper: two chains, pinch only).
TEST(HandInit, OtherBundledUrdfs) {
  const fs::path root = temp_root("others");
  struct Case {
    std::string hand, urdf;
    std::vector<std::string> tips;  // expected fingertip per role, thumb first
  };
  const std::vector<Case> cases{
      {"shadow_hand",
       "shadow_hand.urdf",
       {"robot0_thdistal", "robot0_ffdistal", "robot0_mfdistal", "robot0_rfdistal", "robot0_lfdistal"}},
      {"ability_hand", "ability_hand.urdf", {"thumb_L2", "index_L2", "middle_L2", "ring_L2", "pinky_L2"}},
      {"robotiq3", "robotiq_3finger_flat.urdf", {}},
      {"panda", "franka_panda.urdf", {"panda_leftfinger", "panda_rightfinger"}}};
  HandCheckOptions quick;
  quick.mujoco = false;
  for (const auto& c : cases) {
    HandInitOptions o;
    o.urdf = test::hand_dir(c.hand) / c.urdf;
    o.out = root / c.hand;
    const HandInitReport rep = init_hand(o);
    const HandModel m = load_hand(o.out.string());
    for (size_t k = 0; k < c.tips.size(); ++k) {
      ASSERT_LT(k, rep.structure.chains.size()) << c.hand;
      EXPECT_EQ(m.links[rep.structure.chains[k].tip].name, c.tips[k]) << c.hand << " chain " << k;
    }
    if (c.hand == "shadow_hand") {
      // The wrist stays at zero and carries no candidates.
      for (const auto& j : m.joints)
        if (j.name.find("WRJ") != std::string::npos) EXPECT_EQ(j.default_value, 0.0) << j.name;
      for (const auto& cand : m.grasp_type("full").candidates) EXPECT_NE(m.links[cand.link].name, "robot0_wrist");
    }
    EXPECT_TRUE(m.has_grasp_type("pinch")) << c.hand;
    EXPECT_EQ(m.has_grasp_type("precision"), c.hand != "panda") << c.hand;
    const HandCheckReport r = check_hand(o.out.string(), quick);
    EXPECT_TRUE(r.passed()) << r.to_text(true);
  }
  fs::remove_all(root);
}

// A two-finger gripper made of boxes: the rules are not tuned to the bundled hands.
TEST(HandInit, SyntheticTwoFingerGripper) {
  const fs::path root = temp_root("synthetic");
  const fs::path urdf = root / "src" / "gripper.urdf";
  fs::create_directories(urdf.parent_path());
  std::ofstream(urdf) << R"(<?xml version="1.0"?>
<robot name="box_gripper">
  <link name="base"><collision><origin xyz="0 0 0.01"/><geometry><box size="0.08 0.04 0.02"/></geometry></collision></link>
  <link name="left_proximal"><collision><origin xyz="0 0 0.025"/><geometry><box size="0.016 0.03 0.05"/></geometry></collision></link>
  <link name="left_distal"><collision><origin xyz="0 0 0.02"/><geometry><box size="0.014 0.026 0.04"/></geometry></collision></link>
  <link name="right_proximal"><collision><origin xyz="0 0 0.025"/><geometry><box size="0.016 0.03 0.05"/></geometry></collision></link>
  <link name="right_distal"><collision><origin xyz="0 0 0.02"/><geometry><box size="0.014 0.026 0.04"/></geometry></collision></link>
  <joint name="left_1" type="revolute"><parent link="base"/><child link="left_proximal"/><origin xyz="-0.03 0 0.02"/><axis xyz="0 1 0"/><limit lower="0" upper="1.2" effort="1" velocity="1"/></joint>
  <joint name="left_2" type="revolute"><parent link="left_proximal"/><child link="left_distal"/><origin xyz="0 0 0.05"/><axis xyz="0 1 0"/><limit lower="0" upper="1.2" effort="1" velocity="1"/></joint>
  <joint name="right_1" type="revolute"><parent link="base"/><child link="right_proximal"/><origin xyz="0.03 0 0.02"/><axis xyz="0 -1 0"/><limit lower="0" upper="1.2" effort="1" velocity="1"/></joint>
  <joint name="right_2" type="revolute"><parent link="right_proximal"/><child link="right_distal"/><origin xyz="0 0 0.05"/><axis xyz="0 -1 0"/><limit lower="0" upper="1.2" effort="1" velocity="1"/></joint>
</robot>
)";
  HandInitOptions o;
  o.urdf = urdf;
  o.out = root / "gripper";
  const HandInitReport rep = init_hand(o);
  EXPECT_EQ(rep.structure.chains.size(), 2u);
  EXPECT_GT(rep.structure.approach_axis.z(), 0.95);
  const HandModel m = load_hand(o.out.string());
  ASSERT_TRUE(m.has_grasp_type("pinch"));
  // Candidates on the fingers face the other finger (left finger: +x, right finger: -x) at the default pose.
  HandData d(m);
  forward_kinematics(m, make_state(Vec3::Zero(), Mat3::Identity(), m.default_joints()), d);
  int fingers = 0;
  for (const auto& c : m.grasp_type("full").candidates) {
    const std::string ln = m.links[c.link].name;
    const Vec3 n = d.dir_to_world(c.link, c.normal);
    if (ln.rfind("left", 0) == 0) {
      EXPECT_GT(n.x(), 0.5) << ln;
      ++fingers;
    } else if (ln.rfind("right", 0) == 0) {
      EXPECT_LT(n.x(), -0.5) << ln;
      ++fingers;
    } else {
      EXPECT_EQ(ln, "base");
      EXPECT_GT(n.z(), 0.7);
    }
  }
  EXPECT_EQ(fingers, 4 + 8 + 4 + 8);
  const HandCheckReport r = check_hand(o.out.string(), check_options());
  EXPECT_TRUE(r.passed()) << r.to_text(true);
  fs::remove_all(root);
}

// ---- CLI ----

TEST(HandInitCli, InitThenCheck) {
  const fs::path root = temp_root("cli");
  const std::string out_dir = (root / "leap_copy").string();
  std::string out, err;
  const std::string cmd = test::cli_path() + " hand init --urdf " +
                          (test::hand_dir("leap") / "leap_hand_right.urdf").string() + " --out " + out_dir;
  EXPECT_EQ(test::run_command(cmd, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("chain thumb"), std::string::npos) << out;
  EXPECT_NE(out.find("PASS"), std::string::npos) << out;
  // Refuses to overwrite; --force does.
  EXPECT_NE(test::run_command(cmd, &out, &err), 0);
  EXPECT_NE(err.find("exists"), std::string::npos) << err;
  EXPECT_EQ(test::run_command(cmd + " --force --no-check --json", &out, &err), 0) << err;
  const json j = json::parse(out);
  EXPECT_EQ(j["grasp_types"]["pinch"].size(), 2u);
  // The copy matches the shipped LEAP annotation (same rules, same default pose).
  EXPECT_EQ(read_text(root / "leap_copy" / "eigengrasps.json"), read_text(test::hand_dir("leap") / "eigengrasps.json"));
  EXPECT_EQ(test::run_command(test::cli_path() + " hand check " + out_dir + " --no-mujoco", &out, &err), 0) << out;
  EXPECT_NE(test::run_command(test::cli_path() + " hand init --out " + out_dir, &out, &err), 0);
  fs::remove_all(root);
}

TEST(HandSdf, LinksMadeOfSeveralPrimitivesHaveTheUnionsSign) {
  // The hand model's link SDF (used by the penetration energy and the metrics) against the union of the
  // per-primitive SDFs (LinkSolid): same inside/outside at random points of every multi-part link
  // (LEAP and Barrett are unions of boxes and meshes; the other hands' links are single closed meshes).
  for (const std::string name :
       {"leap", "barrett", "shadow_hand", "allegro", "ability_hand", "robotiq3", "robotiq2", "panda", "schunk"}) {
    const HandModel hand = load_hand(name);
    std::mt19937_64 rng(5);
    int checked = 0, wrong = 0;
    for (const auto& link : hand.links) {
      if (!link.collision_sdf) continue;
      const LinkSolid solid(link.collision_mesh);
      if (solid.components() < 2) continue;
      const Eigen::AlignedBox3d box = link.collision_box;
      std::uniform_real_distribution<double> u(0, 1);
      for (int i = 0; i < 300; ++i) {
        const Vec3 p = box.min() + (box.max() - box.min()).cwiseProduct(Vec3(u(rng), u(rng), u(rng)));
        const double truth = solid.distance(p);
        if (std::abs(truth) < 1e-5) continue;
        ++checked;
        wrong += (link.collision_sdf->query(p).distance < 0) != (truth < 0);
      }
    }
    SCOPED_TRACE(name);
    if (name == "leap" || name == "barrett") EXPECT_GT(checked, 1000);
    if (name == "shadow_hand") EXPECT_GT(checked, 1000);  // its thumb and finger bases are two meshes each
    EXPECT_EQ(wrong, 0) << "of " << checked;
  }
}

}  // namespace
}  // namespace graspqp
