// `graspqp view` without a browser: the .glb files validate (structure, sizes, node counts), the
// selection (--index, --best, evaluation files) and the page's embedded data; unit tests of the
// glTF writer helpers. The browser half is tests/test_view_browser.cpp.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/view/gltf.hpp>
#include <graspqp/view/scene.hpp>
#include <graspqp/view/viewer.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "test_view_fixture.hpp"

namespace graspqp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

uint32_t u32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

// An independent glTF 2.0 binary validator: returns the JSON chunk after checking the header,
// the chunks, and that every accessor, buffer view, mesh, material and node reference is in range.
// Records gtest failures (and stops at the first structural one); the JSON goes to *out.
void validate_glb_into(const std::string& glb, const std::string& what, json* out) {
  SCOPED_TRACE(what);
  ASSERT_GE(glb.size(), 20u);
  EXPECT_EQ(u32(glb, 0), 0x46546C67u) << "magic 'glTF'";
  EXPECT_EQ(u32(glb, 4), 2u) << "version";
  EXPECT_EQ(u32(glb, 8), glb.size()) << "header length = file size";
  const uint32_t json_len = u32(glb, 12);
  EXPECT_EQ(u32(glb, 16), 0x4E4F534Au) << "first chunk is JSON";
  EXPECT_EQ(json_len % 4, 0u) << "JSON chunk padded to 4 bytes";
  ASSERT_LE(20 + size_t(json_len), glb.size());
  const json j = json::parse(glb.substr(20, json_len));
  *out = j;
  size_t bin_len = 0;
  const size_t bin_at = 20 + json_len;
  if (bin_at < glb.size()) {
    EXPECT_EQ(bin_at % 4, 0u);
    EXPECT_LE(bin_at + 8, glb.size());
    bin_len = u32(glb, bin_at);
    EXPECT_EQ(u32(glb, bin_at + 4), 0x004E4942u) << "second chunk is BIN";
    EXPECT_EQ(bin_len % 4, 0u) << "BIN chunk padded to 4 bytes";
    EXPECT_EQ(bin_at + 8 + bin_len, glb.size()) << "BIN chunk ends the file";
  }
  const std::string bin = bin_len ? glb.substr(bin_at + 8, bin_len) : std::string();

  EXPECT_EQ(j["asset"]["version"], "2.0");
  size_t buffer_len = 0;
  if (j.contains("buffers")) {
    EXPECT_EQ(j["buffers"].size(), 1u);
    EXPECT_FALSE(j["buffers"][0].contains("uri")) << "the GLB-stored buffer has no uri";
    buffer_len = j["buffers"][0]["byteLength"];
    EXPECT_LE(buffer_len, bin_len);
    EXPECT_LT(bin_len - buffer_len, 4u) << "BIN chunk is the buffer plus at most 3 bytes of padding";
  }
  const json views = j.value("bufferViews", json::array());
  for (const auto& v : views) {
    EXPECT_EQ(v["buffer"], 0);
    const size_t off = v.value("byteOffset", 0), len = v["byteLength"];
    EXPECT_LE(off + len, buffer_len) << "buffer view inside the buffer";
    EXPECT_EQ(off % 4, 0u);
  }
  const json accessors = j.value("accessors", json::array());
  auto comp_size = [](int t) { return t == 5126 || t == 5125 ? 4 : t == 5123 || t == 5122 ? 2 : 1; };
  auto type_count = [](const std::string& t) {
    return t == "SCALAR" ? 1 : t == "VEC2" ? 2 : t == "VEC3" ? 3 : t == "VEC4" ? 4 : 16;
  };
  for (const auto& a : accessors) {
    const int vi = a["bufferView"];
    EXPECT_GE(vi, 0);
    EXPECT_LT(vi, static_cast<int>(views.size()));
    if (vi < 0 || vi >= static_cast<int>(views.size())) continue;
    const size_t elem = comp_size(a["componentType"]) * type_count(a["type"]);
    const size_t off = a.value("byteOffset", 0), count = a["count"];
    EXPECT_GT(count, 0u);
    EXPECT_LE(off + count * elem, static_cast<size_t>(views[vi]["byteLength"])) << "accessor inside its view";
    EXPECT_EQ((off + static_cast<size_t>(views[vi].value("byteOffset", 0))) % comp_size(a["componentType"]), 0u);
    // Floats are finite and within min/max when given.
    if (a["componentType"] == 5126 && off + count * elem <= static_cast<size_t>(views[vi]["byteLength"])) {
      const size_t base = static_cast<size_t>(views[vi].value("byteOffset", 0)) + off;
      const int tc = type_count(a["type"]);
      for (size_t i = 0; i < count * tc; ++i) {
        float f;
        std::memcpy(&f, bin.data() + base + 4 * i, 4);
        ASSERT_TRUE(std::isfinite(f));
        if (a.contains("min")) {
          EXPECT_GE(f, a["min"][i % tc].get<float>());
          EXPECT_LE(f, a["max"][i % tc].get<float>());
        }
      }
    }
  }
  const int n_materials = static_cast<int>(j.value("materials", json::array()).size());
  for (const auto& m : j.value("meshes", json::array())) {
    EXPECT_FALSE(m["primitives"].empty());
    for (const auto& p : m["primitives"]) {
      const int pos = p["attributes"]["POSITION"];
      ASSERT_LT(pos, static_cast<int>(accessors.size()));
      EXPECT_EQ(accessors[pos]["type"], "VEC3");
      EXPECT_TRUE(accessors[pos].contains("min") && accessors[pos].contains("max")) << "POSITION needs min/max";
      const size_t nv = accessors[pos]["count"];
      for (const auto& [name, idx] : p["attributes"].items()) {
        ASSERT_LT(idx.get<int>(), static_cast<int>(accessors.size()));
        EXPECT_EQ(accessors[idx.get<int>()]["count"], nv) << name;
      }
      if (p.value("mode", 4) == 4) {
        EXPECT_TRUE(p["attributes"].contains("NORMAL"));
        ASSERT_TRUE(p.contains("indices"));
        const json& ia = accessors[p["indices"].get<int>()];
        EXPECT_EQ(ia["count"].get<size_t>() % 3, 0u);
        const int ct = ia["componentType"];
        EXPECT_TRUE(ct == 5123 || ct == 5125);
        const size_t base =
            static_cast<size_t>(views[ia["bufferView"].get<int>()].value("byteOffset", 0)) + ia.value("byteOffset", 0);
        for (size_t i = 0; i < ia["count"].get<size_t>(); ++i) {
          uint32_t v = 0;
          std::memcpy(&v, bin.data() + base + comp_size(ct) * i, comp_size(ct));
          ASSERT_LT(v, nv) << "index within the vertex count";
        }
      }
      if (p.contains("material")) EXPECT_LT(p["material"].get<int>(), n_materials);
    }
  }
  const int n_meshes = static_cast<int>(j.value("meshes", json::array()).size());
  const json nodes = j["nodes"];
  std::set<int> in_scene;
  for (const auto& n : j["scenes"][j.value("scene", 0)]["nodes"]) in_scene.insert(n.get<int>());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const json& n = nodes[i];
    if (n.contains("mesh")) EXPECT_LT(n["mesh"].get<int>(), n_meshes);
    if (n.contains("rotation")) {
      double s = 0;
      for (const auto& c : n["rotation"]) s += c.get<double>() * c.get<double>();
      EXPECT_NEAR(s, 1.0, 1e-6) << "unit quaternion";
    }
    EXPECT_TRUE(in_scene.count(static_cast<int>(i))) << "node " << i << " is in the scene";
  }
}

json validate_glb(const std::string& glb, const std::string& what) {
  json j;
  validate_glb_into(glb, what, &j);
  return j;
}

int count_kind(const json& j, const std::string& kind) {
  int c = 0;
  for (const auto& n : j["nodes"])
    if (n.contains("extras") && n["extras"].value("kind", "") == kind) ++c;
  return c;
}

class ViewTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hand_ = new HandModel(load_hand("allegro"));
    dir_ = new TempDir("view");
    // The .glb files do not depend on the page script: a stand-in keeps these tests independent of npm.
    std::ofstream(dir_->path / "bundle.js") << "/* stand-in bundle </script> */ console.log('x');\n";
    write_grasp_file(dir_->path / "grasps.h5", synthetic_grasps(*hand_, 3, 4));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete hand_;
  }
  static std::string env() { return "GRASPQP_VIEWER_JS=" + (dir_->path / "bundle.js").string(); }
  static fs::path grasps() { return dir_->path / "grasps.h5"; }
  static HandModel* hand_;
  static TempDir* dir_;
};
HandModel* ViewTest::hand_ = nullptr;
TempDir* ViewTest::dir_ = nullptr;

TEST_F(ViewTest, WritesValidGlbPerGraspWithLinksObjectAndContacts) {
  const fs::path out = dir_->path / "all";
  const CliResult r = run_view("--grasps " + grasps().string() + " --out " + out.string() + " --cones", env());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fs::path(r.out.substr(0, r.out.find('\n'))), fs::absolute(out / "index.html"));
  const int links = static_cast<int>(hand_->links.size());
  for (int row = 0; row < 3; ++row) {
    const fs::path f = out / ("grasp_000" + std::to_string(row) + ".glb");
    ASSERT_TRUE(fs::exists(f)) << f;
    const json j = validate_glb(read_file(f), f.string());
    ASSERT_TRUE(j.contains("nodes"));
    EXPECT_EQ(j["nodes"].size(), static_cast<size_t>(links + 1 + 4)) << "links + object + contacts";
    EXPECT_EQ(count_kind(j, "link"), links);
    EXPECT_EQ(count_kind(j, "object"), 1);
    EXPECT_EQ(count_kind(j, "contact"), 4);
    // Link nodes come in HandModel order and carry the link names; meshes where the link has geometry.
    int with_mesh = 0;
    for (int l = 0; l < links; ++l) {
      EXPECT_EQ(j["nodes"][l]["name"], hand_->links[l].name);
      with_mesh += j["nodes"][l].contains("mesh");
    }
    EXPECT_GT(with_mesh, links / 2);
    // Contacts: sphere + cone primitives, at the file's contact points (object frame -> glTF Y-up).
    const GraspDataset d = read_grasp_file(grasps());
    for (int k = 0; k < 4; ++k) {
      const json& n = j["nodes"][links + 1 + k];
      EXPECT_EQ(n["extras"]["kind"], "contact");
      EXPECT_EQ(j["meshes"][n["mesh"].get<int>()]["primitives"].size(), 2u) << "sphere + friction cone";
      const size_t i = static_cast<size_t>(row) * 4 + k;
      EXPECT_NEAR(n["translation"][0].get<double>(), d.contact_points[3 * i], 1e-9);
      EXPECT_NEAR(n["translation"][1].get<double>(), d.contact_points[3 * i + 2], 1e-9);
      EXPECT_NEAR(n["translation"][2].get<double>(), -d.contact_points[3 * i + 1], 1e-9);
      if (row < 2)
        EXPECT_NEAR(n["extras"]["share"].get<double>(), (1.0 + k) / 10.0, 1e-12);
      else
        EXPECT_TRUE(n["extras"]["share"].is_null()) << "no force at all: share unknown";
    }
    EXPECT_EQ(j["asset"]["extras"]["graspqp"]["index"], row);
    EXPECT_FALSE(j["asset"]["extras"]["graspqp"]["poses"].get<bool>()) << "a file without poses";
  }
  // The page: every grasp in file order, its .glb rebuilt from the page data is the file on disk.
  const json data = page_data(out / "index.html");
  EXPECT_EQ(data["mode"], "grasps");
  ASSERT_EQ(data["grasps"].size(), 3u);
  EXPECT_EQ(data["bins"].size(), 1u) << "grasps of one file share one BIN chunk";
  for (int row = 0; row < 3; ++row) {
    const json& g = data["grasps"][row];
    EXPECT_EQ(g["index"], row);
    EXPECT_EQ(g["terms"].size(), 2u);
    EXPECT_EQ(g["extra"]["valid"], row % 2 == 0 ? 1.0 : 0.0);
    EXPECT_TRUE(g["success"].is_null());
    const std::string glb = read_file(out / g["file"].get<std::string>());
    EXPECT_EQ(g["glb"]["json"].get<std::string>(), glb.substr(20, u32(glb, 12)));
    EXPECT_EQ(g["glb"]["bytes"], glb.size());
  }
  EXPECT_EQ(data["term_names"], json({"E_dis", "E_fc"}));
  // The stand-in bundle's "</script>" was escaped so that it cannot end the inline script early.
  const std::string html = read_file(out / "index.html");
  EXPECT_NE(html.find("stand-in bundle <\\/script>"), std::string::npos);
}

// Stored pregrasp and squeeze poses: two more hands, at the forward kinematics of those joints, sharing
// the grasp hand's vertex data; the page knows the file has them.
TEST_F(ViewTest, PregraspAndSqueezeHands) {
  GraspDataset d = synthetic_grasps(*hand_, 2, 4);
  d.pregrasp_joints = d.joints;
  d.squeeze_joints = d.joints;
  for (int b = 0; b < 2; ++b)
    for (int a = 0; a < hand_->dof(); ++a) {  // open / close every joint by a tenth of its range
      const double lo = hand_->lower_limits()[a], hi = hand_->upper_limits()[a], step = 0.1 * (hi - lo);
      d.pregrasp_joints(b, a) = std::max(lo, d.joints(b, a) - step);
      d.squeeze_joints(b, a) = std::min(hi, d.joints(b, a) + step);
    }
  const fs::path file = dir_->path / "poses.h5";
  write_grasp_file(file, d);
  const fs::path out = dir_->path / "poses";
  const CliResult r = run_view("--grasps " + file.string() + " --out " + out.string(), env());
  ASSERT_EQ(r.code, 0) << r.err;
  const int links = static_cast<int>(hand_->links.size());
  const json j = validate_glb(read_file(out / "grasp_0001.glb"), "grasp_0001.glb");
  ASSERT_EQ(j["nodes"].size(), static_cast<size_t>(3 * links + 1 + 4)) << "3 hands + object + contacts";
  EXPECT_EQ(count_kind(j, "pregrasp_link"), links);
  EXPECT_EQ(count_kind(j, "squeeze_link"), links);
  HandData data(*hand_);
  const Eigen::Quaterniond q(d.root_pose(1, 3), d.root_pose(1, 4), d.root_pose(1, 5), d.root_pose(1, 6));
  int moved = 0;
  for (const auto& [pose, first] : {std::pair<std::string, int>{"pregrasp", links + 5}, {"squeeze", 2 * links + 5}}) {
    const auto& joints = pose == "pregrasp" ? d.pregrasp_joints : d.squeeze_joints;
    forward_kinematics(
        *hand_, make_state(d.root_pose.row(1).head<3>().transpose(), q.toRotationMatrix(), joints.row(1).transpose()),
        data);
    for (int l = 0; l < links; ++l) {
      const json& n = j["nodes"][first + l];
      EXPECT_EQ(n["name"], pose + "/" + hand_->links[l].name);
      const Vec3 p = data.position[l];  // Z-up object frame -> glTF Y-up: (x, y, z) -> (x, z, -y)
      EXPECT_NEAR(n["translation"][0].get<double>(), p.x(), 1e-9);
      EXPECT_NEAR(n["translation"][1].get<double>(), p.z(), 1e-9);
      EXPECT_NEAR(n["translation"][2].get<double>(), -p.y(), 1e-9);
      moved += std::abs(n["translation"][0].get<double>() - j["nodes"][l]["translation"][0].get<double>()) > 1e-4;
      ASSERT_EQ(n.contains("mesh"), j["nodes"][l].contains("mesh"));
      if (!n.contains("mesh")) continue;
      const json& prim = j["meshes"][n["mesh"].get<int>()]["primitives"][0];
      const json& grasp_prim = j["meshes"][j["nodes"][l]["mesh"].get<int>()]["primitives"][0];
      EXPECT_EQ(prim["attributes"]["POSITION"], grasp_prim["attributes"]["POSITION"]) << "shared vertex data";
      EXPECT_EQ(j["materials"][prim["material"].get<int>()]["name"], pose);
    }
  }
  EXPECT_GT(moved, links / 2);
  EXPECT_TRUE(j["asset"]["extras"]["graspqp"]["poses"].get<bool>());
  EXPECT_TRUE(page_data(out / "index.html")["poses"].get<bool>());
}

TEST_F(ViewTest, IndexAndBestSelectRows) {
  const fs::path a = dir_->path / "index";
  CliResult r = run_view("--grasps " + grasps().string() + " --index 2,0 --out " + a.string(), env());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(a / "grasp_0002.glb"));
  EXPECT_TRUE(fs::exists(a / "grasp_0000.glb"));
  EXPECT_FALSE(fs::exists(a / "grasp_0001.glb"));
  json data = page_data(a / "index.html");
  ASSERT_EQ(data["grasps"].size(), 2u);
  EXPECT_EQ(data["grasps"][0]["index"], 2);
  EXPECT_EQ(data["grasps"][1]["index"], 0);

  const fs::path b = dir_->path / "best";
  r = run_view("--grasps " + grasps().string() + " --best 2 --out " + b.string(), env());
  ASSERT_EQ(r.code, 0) << r.err;
  data = page_data(b / "index.html");
  ASSERT_EQ(data["grasps"].size(), 2u);
  EXPECT_EQ(data["grasps"][0]["index"], 2) << "lowest energy first";
  EXPECT_EQ(data["grasps"][1]["index"], 1);
  EXPECT_FALSE(fs::exists(b / "grasp_0000.glb"));

  r = run_view("--grasps " + grasps().string() + " --index 3 --out " + (dir_->path / "bad").string(), env());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  r = run_view("--grasps " + grasps().string() + " --index 0 --best 1 --out " + (dir_->path / "bad").string(), env());
  EXPECT_NE(r.code, 0) << "--index and --best exclude each other";
  r = run_view("--out " + (dir_->path / "bad").string(), env());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--grasps"), std::string::npos) << r.err;
}

TEST_F(ViewTest, BestPrefersSuccessfulGraspsFromAnEvalFile) {
  // An evaluation file next to the grasp file, written with Debian's h5py (python3-h5py; /usr/bin/python3,
  // not whatever python3 comes first on PATH) as `graspqp eval` or a user would:
  // booleans (an HDF5 enum) for success and floats for another metric.
  const fs::path sub = dir_->path / "evaluated";
  fs::create_directories(sub);
  fs::copy_file(grasps(), sub / "grasps.h5", fs::copy_options::overwrite_existing);
  const std::string py =
      "import h5py, numpy as np; f = h5py.File('" + (sub / "grasps.eval.h5").string() +
      "', 'w'); f['success'] = np.array([True, False, True]); "
      "f['penetration_depth'] = np.array([0.001, 0.002, 0.003]); f['other'] = np.zeros(5); f.close()";
  std::string out, err;
  ASSERT_EQ(run_command("/usr/bin/python3 -c \"" + py + "\"", &out, &err), 0) << err;
  const fs::path b = dir_->path / "best_eval";
  const CliResult r = run_view("--grasps " + (sub / "grasps.h5").string() + " --best 2 --out " + b.string(), env());
  ASSERT_EQ(r.code, 0) << r.err;
  const json data = page_data(b / "index.html");
  ASSERT_EQ(data["grasps"].size(), 2u);
  EXPECT_EQ(data["grasps"][0]["index"], 2) << "successful, lowest energy";
  EXPECT_EQ(data["grasps"][1]["index"], 0) << "successful, though its energy is higher than grasp 1's";
  EXPECT_EQ(data["grasps"][0]["success"], true);
  EXPECT_NEAR(data["grasps"][1]["eval"]["penetration_depth"].get<double>(), 0.001, 1e-12);
  EXPECT_FALSE(data["grasps"][0]["eval"].contains("other")) << "datasets of another length are not per-grasp";
  EXPECT_EQ(data["eval_names"], json({"penetration_depth", "success"}));
}

TEST_F(ViewTest, HandAloneShowsCandidatesSpheresAndAxes) {
  const fs::path out = dir_->path / "hand";
  const CliResult r = run_view("--hand allegro --out " + out.string(), env());
  ASSERT_EQ(r.code, 0) << r.err;
  const fs::path f = out / "hand_allegro.glb";
  ASSERT_TRUE(fs::exists(f));
  const json j = validate_glb(read_file(f), f.string());
  ASSERT_TRUE(j.contains("nodes"));
  const int types = static_cast<int>(hand_->grasp_types.size());
  EXPECT_EQ(j["nodes"].size(), hand_->links.size() + 2 * types + 3);
  EXPECT_EQ(count_kind(j, "link"), static_cast<int>(hand_->links.size()));
  EXPECT_EQ(count_kind(j, "candidates"), types);
  EXPECT_EQ(count_kind(j, "normals"), types);
  EXPECT_EQ(count_kind(j, "spheres"), 1);
  EXPECT_EQ(count_kind(j, "axes"), 1);
  for (const auto& n : j["nodes"])
    if (n["extras"]["kind"] == "candidates") {
      const GraspType& gt = hand_->grasp_type(n["extras"]["grasp_type"]);
      EXPECT_EQ(n["extras"]["count"], gt.candidates.size());
    }
  const json data = page_data(out / "index.html");
  EXPECT_EQ(data["mode"], "hand");
  EXPECT_EQ(data["grasp_types"].size(), static_cast<size_t>(types));
  EXPECT_EQ(data["glb"]["bytes"], fs::file_size(f));
}

TEST(ViewUnit, Base64) {
  EXPECT_EQ(view::base64_encode(""), "");
  EXPECT_EQ(view::base64_encode("f"), "Zg==");
  EXPECT_EQ(view::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(view::base64_encode("foo"), "Zm9v");
  EXPECT_EQ(view::base64_encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(ViewUnit, PageEscapesScriptEnds) {
  const std::string html =
      view::page_html("a <b>", {{"s", "</script><script>alert(1)</script>"}}, "var x = '</script>';");
  EXPECT_EQ(html.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(html.find("<title>a &lt;b&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("var x = '<\\/script>';"), std::string::npos);
  // Exactly two script elements end.
  size_t ends = 0;
  for (size_t p = html.find("</script>"); p != std::string::npos; p = html.find("</script>", p + 1)) ++ends;
  EXPECT_EQ(ends, 2u);
}

TEST(ViewUnit, RankGrasps) {
  Eigen::VectorXd e(5);
  e << 3, std::nan(""), 1, 2, 1;
  EXPECT_EQ(view::rank_grasps(e), (std::vector<int>{2, 4, 3, 0, 1}));
  Eigen::VectorXd s(5);
  s << 1, 1, 0, 1, 0;
  EXPECT_EQ(view::rank_grasps(e, &s), (std::vector<int>{3, 0, 1, 2, 4}));
}

TEST(ViewUnit, RenderMeshKeepsHardEdgesAndSmoothsCurves) {
  const view::RenderMesh box = view::make_render_mesh(make_box(Vec3(1, 2, 3)));
  EXPECT_EQ(box.triangle_count(), 12u);
  EXPECT_EQ(box.vertex_count(), 24u) << "each corner split into its three faces";
  const TriangleMesh sphere_mesh = make_sphere(1.0, 3);
  const view::RenderMesh sphere = view::make_render_mesh(sphere_mesh);
  EXPECT_EQ(sphere.vertex_count(), sphere_mesh.vertices.size()) << "no split on a smooth surface";
  for (size_t i = 0; i < sphere.vertex_count(); ++i) {
    const Eigen::Vector3f p(sphere.positions[3 * i], sphere.positions[3 * i + 1], sphere.positions[3 * i + 2]);
    const Eigen::Vector3f n(sphere.normals[3 * i], sphere.normals[3 * i + 1], sphere.normals[3 * i + 2]);
    EXPECT_NEAR(n.norm(), 1.0f, 1e-5);
    EXPECT_GT(n.dot(p.normalized()), 0.98f) << "smooth normals point outwards";
  }
}

TEST(ViewUnit, SimplifyMeshStaysWithinBudget) {
  const TriangleMesh big = make_sphere(0.1, 5);  // 20480 triangles
  const TriangleMesh small = view::simplify_mesh(big, 2000);
  EXPECT_LE(small.faces.size(), 2000u);
  EXPECT_GT(small.faces.size(), 200u);
  const Eigen::AlignedBox3d a = big.bounding_box(), b = small.bounding_box();
  EXPECT_LT((a.sizes() - b.sizes()).norm(), 0.05);
  EXPECT_EQ(view::simplify_mesh(big, 100000).faces.size(), big.faces.size());
}

TEST(ViewUnit, ForceShareColours) {
  const auto none = view::force_share_color(0.0, 4), equal = view::force_share_color(0.25, 4),
             big = view::force_share_color(0.9, 4), unknown = view::force_share_color(std::nan(""), 4);
  EXPECT_GT(none[2], none[0]) << "blue for no force";
  EXPECT_GT(equal[1], equal[0]) << "green for an equal share";
  EXPECT_GT(big[0], big[1]) << "red for a large share";
  EXPECT_DOUBLE_EQ(unknown[0], unknown[1]);
}

}  // namespace
}  // namespace graspqp::test
