// `graspqp hand check`: every shipped hand passes; deliberately broken copies of a hand fail with the
// right message (missing mesh, inverted or missing joint limits, inverted normals, misplaced patches,
// spheres on unknown links / with a non-positive radius / not covering their link, self-collision at the
// default pose, a MuJoCo model that cannot hold the default pose).
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/onboard/hand_check.hpp>
#include <graspqp/onboard/hand_init.hpp>

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path cache_dir() { return fs::temp_directory_path() / "graspqp_test_hand_parts_cache"; }

HandCheckOptions quick() {
  HandCheckOptions o;
  o.mujoco = false;
  return o;
}

// A writable copy of a bundled hand in a fresh temporary folder.
fs::path copy_hand(const std::string& name, const std::string& tag) {
  const fs::path root = fs::temp_directory_path() / ("graspqp_check_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path dst = root / name;
  fs::copy(test::hand_dir(name), dst, fs::copy_options::recursive);
  fs::permissions(dst, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(dst))
    fs::permissions(e.path(), e.is_directory() ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::add);
  return dst;
}

using test::read_text;
void write_text(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::trunc);
  out << s;
}
json read_json(const fs::path& p) { return json::parse(read_text(p)); }
void write_json(const fs::path& p, const json& j) { write_text(p, j.dump(2)); }

// True if the report has a failure of `check` whose message contains `text`.
bool fails_with(const HandCheckReport& r, const std::string& check, const std::string& text) {
  for (const auto& i : r.items)
    if (i.level == CheckLevel::Fail && i.check == check && i.message.find(text) != std::string::npos) return true;
  return false;
}
std::string dump(const HandCheckReport& r) { return r.to_text(true); }

// ---- every shipped hand ----

class ShippedHand : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedHand, PassesCheck) {
  HandCheckOptions o;
  o.cache_dir = cache_dir();
  const HandCheckReport r = check_hand(GetParam(), o);
  EXPECT_TRUE(r.passed()) << dump(r);
  // The MuJoCo check ran and passed.
  bool mujoco = false;
  for (const auto& i : r.items) mujoco = mujoco || (i.check == "mujoco" && i.level == CheckLevel::Pass);
  EXPECT_TRUE(mujoco) << dump(r);
  // Every link with geometry that carries spheres is covered to some extent, and every grasp type has
  // candidates that face each other somewhere in the joint range.
  ASSERT_TRUE(r.measures.contains("candidate_spread"));
  for (const auto& [t, v] : r.measures["candidate_spread"].items())
    EXPECT_LT(v["most_opposed_normals"].get<double>(), -0.5) << GetParam() << " " << t;
}

INSTANTIATE_TEST_SUITE_P(AllHands, ShippedHand, ::testing::ValuesIn(bundled_hand_names()),
                         [](const auto& info) { return info.param; });

TEST(HandCheck, AllNineHandsAreBundled) {
  const auto names = bundled_hand_names();
  for (const char* h :
       {"allegro", "shadow_hand", "ability_hand", "robotiq2", "robotiq3", "panda", "schunk", "leap", "barrett"})
    EXPECT_NE(std::find(names.begin(), names.end(), h), names.end()) << h;
}

TEST(HandCheck, RegeneratedSphereFilesNameOnlyExistingLinks) {
  // The shipped Robotiq 2F file named Robotiq 3F links and Schunk had none (kept as *.orig.json).
  for (const std::string h : {"robotiq2", "schunk"}) {
    const HandModel m = load_hand(h);
    const json spheres = read_json(test::hand_dir(h) / "penetration_points.json");
    EXPECT_FALSE(spheres.empty()) << h;
    for (const auto& [ln, v] : spheres.items()) EXPECT_GE(m.link_index(ln), 0) << h << " " << ln;
    EXPECT_TRUE(fs::exists(test::hand_dir(h) / "penetration_points.orig.json")) << h;
    for (const auto& w : m.warnings) EXPECT_EQ(w.find("penetration_points"), std::string::npos) << w;
  }
}

// ---- broken hands ----

TEST(BrokenHand, MissingCollisionMesh) {
  const fs::path dir = copy_hand("allegro", "mesh");
  fs::remove(dir / "meshes" / "fingertip_coll.obj");
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(fails_with(r, "load", "fingertip_coll.obj' not found")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, InvertedAndMissingJointLimits) {
  const fs::path dir = copy_hand("allegro", "limits");
  std::string urdf = read_text(dir / "allegro_hand.urdf");
  // index_joint_1: swap its limits; middle_joint_1: drop its <limit>.
  auto joint_block = [&](const std::string& name) {
    const size_t a = urdf.find("<joint name=\"" + name + "\"");
    const size_t b = urdf.find("</joint>", a);
    return std::make_pair(a, b);
  };
  {
    auto [a, b] = joint_block("index_joint_1");
    std::string block = urdf.substr(a, b - a);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(block, m, std::regex("lower=\"([^\"]*)\"")));
    const std::string lo = m[1];
    ASSERT_TRUE(std::regex_search(block, m, std::regex("upper=\"([^\"]*)\"")));
    const std::string hi = m[1];
    block = std::regex_replace(block, std::regex("lower=\"[^\"]*\""), "lower=\"" + hi + "\"");
    block = std::regex_replace(block, std::regex("upper=\"[^\"]*\""), "upper=\"" + lo + "\"");
    urdf.replace(a, b - a, block);
  }
  {
    auto [a, b] = joint_block("middle_joint_1");
    std::string block = urdf.substr(a, b - a);
    block = std::regex_replace(block, std::regex("<limit[^>]*/>"), "");
    urdf.replace(a, b - a, block);
  }
  write_text(dir / "allegro_hand.urdf", urdf);
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(fails_with(r, "joint_limits", "joint 'index_joint_1': lower limit")) << dump(r);
  EXPECT_TRUE(fails_with(r, "joint_limits", "joint 'middle_joint_1' (revolute) has no <limit")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, InvertedCandidateNormals) {
  // The loader always takes outward face normals; a model whose candidate normals were flipped (in memory,
  // as a buggy tool would write them) must fail.
  HandModel model = load_hand("allegro");
  HandCheckReport ok;
  check_hand_model(model, quick(), ok);
  EXPECT_TRUE(ok.passed()) << dump(ok);
  const int tip = model.link_index("index_link_3");
  for (auto& gt : model.grasp_types)
    for (auto& c : gt.candidates)
      if (c.link == tip) c.normal = -c.normal;
  HandCheckReport r;
  check_hand_model(model, quick(), r);
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(fails_with(r, "candidates", "inward normal")) << dump(r);
  EXPECT_TRUE(fails_with(r, "candidates", "index_link_3")) << dump(r);
}

TEST(BrokenHand, CandidateOffTheSurface) {
  HandModel model = load_hand("allegro");
  model.grasp_types[0].candidates[3].position += 0.005 * model.grasp_types[0].candidates[3].normal;
  HandCheckReport r;
  check_hand_model(model, quick(), r);
  EXPECT_TRUE(fails_with(r, "candidates", "more than 1.0 mm off their link's surface")) << dump(r);
}

TEST(BrokenHand, ContactPatchInTheWrongPlace) {
  const fs::path dir = copy_hand("allegro", "patch");
  // The palm's patch, shifted 3 cm along its normal (as if exported in the wrong frame).
  std::string obj = read_text(dir / "meshes" / "palm_contact.obj");
  std::stringstream in(obj), out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("v ", 0) == 0) {
      std::istringstream ls(line.substr(2));
      double x, y, z;
      ls >> x >> y >> z;
      out << "v " << x << " " << y << " " << z + 0.03 << "\n";
    } else {
      out << line << "\n";
    }
  }
  write_text(dir / "meshes" / "palm_contact_shifted.obj", out.str());
  json cp = read_json(dir / "contact_points.json");
  cp["palm_link"] = json::array({json::array({"meshes/palm_contact_shifted.obj", 4})});
  write_json(dir / "contact_points.json", cp);
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_TRUE(fails_with(r, "candidates", "contact patch of link 'palm_link' lies")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, SpheresOnUnknownLinkAndNonPositiveRadius) {
  const fs::path dir = copy_hand("allegro", "spheres");
  json s = read_json(dir / "penetration_points.json");
  s["no_such_link"] = json::array({json::array({0.0, 0.0, 0.0, 0.01})});
  s["index_link_2"][0][3] = -0.01;
  write_json(dir / "penetration_points.json", s);
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(fails_with(r, "spheres", "spheres on unknown link 'no_such_link'")) << dump(r);
  EXPECT_TRUE(fails_with(r, "spheres", "sphere 0 of link 'index_link_2' has a non-positive radius")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, SpheresNotCoveringTheirLink) {
  const fs::path dir = copy_hand("leap", "coverage");
  json s = read_json(dir / "penetration_points.json");
  // pip: spheres shrunk to 1 mm (cover almost nothing); dip: spheres moved 5 cm away (wrong frame).
  for (auto& sp : s["pip"]) sp[3] = 0.001;
  for (auto& sp : s["dip"]) sp[0] = sp[0].get<double>() + 0.05;
  write_json(dir / "penetration_points.json", s);
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(fails_with(r, "spheres", "spheres of link 'pip' cover only")) << dump(r);
  EXPECT_TRUE(fails_with(r, "spheres", "of link 'dip' lies outside its link")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, NoAnnotations) {
  const fs::path dir = copy_hand("barrett", "bare");
  fs::remove(dir / "penetration_points.json");
  fs::remove(dir / "contact_points.json");
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_TRUE(fails_with(r, "candidates", "no contact candidates")) << dump(r);
  EXPECT_TRUE(fails_with(r, "spheres", "no self-collision spheres")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, SelfCollisionAtTheDefaultPose) {
  const fs::path dir = copy_hand("allegro", "spen");
  json s = read_json(dir / "penetration_points.json");
  // Two fat spheres on neighbouring fingertips overlap at the default pose.
  s["index_link_3"].push_back(json::array({0.0, 0.0, 0.028, 0.04}));
  s["middle_link_3"].push_back(json::array({0.0, 0.0, 0.028, 0.04}));
  write_json(dir / "penetration_points.json", s);
  const HandCheckReport r = check_hand(dir.string(), quick());
  EXPECT_TRUE(fails_with(r, "self_collision", "self-collision at the default pose")) << dump(r);
  EXPECT_TRUE(fails_with(r, "self_collision", "index_link_3' and 'middle_link_3")) << dump(r);
  fs::remove_all(dir.parent_path());
}

TEST(BrokenHand, MujocoModelThatCannotHoldTheDefaultPose) {
  const fs::path dir = copy_hand("allegro", "mujoco");
  json h = read_json(dir / "hand.json");
  h["sim"] = {{"kp", 0.001}, {"force_limit", 0.0001}, {"damping", 0.001}};  // actuators far too weak for gravity
  write_json(dir / "hand.json", h);
  HandCheckOptions o;
  o.cache_dir = cache_dir();
  const HandCheckReport r = check_hand(dir.string(), o);
  EXPECT_TRUE(fails_with(r, "mujoco", "does not hold the default pose")) << dump(r);
  fs::remove_all(dir.parent_path());
}

// ---- CLI ----

TEST(HandCheckCli, ExitCodesTextAndJson) {
  std::string out, err;
  EXPECT_EQ(test::run_command(test::cli_path() + " hand check panda --no-mujoco", &out, &err), 0) << out << err;
  EXPECT_NE(out.find("PASS"), std::string::npos) << out;

  const fs::path dir = copy_hand("panda", "cli");
  json s = read_json(dir / "penetration_points.json");
  s["ghost_link"] = json::array({json::array({0.0, 0.0, 0.0, 0.01})});
  write_json(dir / "penetration_points.json", s);
  EXPECT_EQ(test::run_command(test::cli_path() + " hand check " + dir.string() + " --no-mujoco", &out, &err), 1);
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
  EXPECT_NE(err.find("spheres on unknown link 'ghost_link'"), std::string::npos) << err;
  EXPECT_EQ(test::run_command(test::cli_path() + " hand check " + dir.string() + " --no-mujoco --json", &out, &err), 1);
  const json j = json::parse(out);
  EXPECT_FALSE(j["passed"].get<bool>());
  EXPECT_GE(j["failures"].get<int>(), 1);
  fs::remove_all(dir.parent_path());

  EXPECT_NE(test::run_command(test::cli_path() + " hand check no_such_hand_xyz --no-mujoco", &out, &err), 0);
  EXPECT_NE(out.find("unknown hand"), std::string::npos) << out << err;
}

}  // namespace
}  // namespace graspqp
