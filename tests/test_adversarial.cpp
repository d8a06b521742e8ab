// No NaN or infinity reaches an output file, whatever the input: degenerate meshes (slivers, duplicate
// faces, coincident vertices, open, tiny), coincident contacts, joint limits that are equal, absurd grasp
// values. Every output (grasp files, eval files, summaries, reports, metrics JSON) is read back and checked
// by an independent reader (h5py; Python's json, which would show NaN tokens).
#include <graspqp/dataset/generate.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/object/object_model.hpp>

#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>
#include <regex>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("graspqp_test_adversarial_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Checks every HDF5 and JSON file under `dir` with Python: floats finite (HDF5 datasets and attributes; JSON
// numbers, where a NaN or Infinity token would parse). Returns "" when all are, else the offenders.
std::string non_finite_outputs(const fs::path& dir) {
  static const char* script = R"(
import json, math, os, sys
import h5py, numpy as np
bad = []
def walk_json(v, where):
    if isinstance(v, float) and not math.isfinite(v): bad.append(where)
    elif isinstance(v, dict): [walk_json(x, where + "/" + k) for k, x in v.items()]
    elif isinstance(v, list): [walk_json(x, where + "/" + str(i)) for i, x in enumerate(v)]
def visit(name, obj, path):
    items = list(obj.attrs.items())
    if isinstance(obj, h5py.Dataset): items.append(("", obj[()]))
    for k, a in items:
        a = np.asarray(a)
        if a.dtype.kind == "f" and not np.isfinite(a).all(): bad.append(path + ":" + name + "@" + k)
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        if f.endswith(".h5"):
            with h5py.File(p, "r") as h:
                visit("/", h, p); h.visititems(lambda name, o: visit(name, o, p)); n += 1
        elif f.endswith(".json"):
            walk_json(json.load(open(p)), p); n += 1
print("checked", n)
print("\n".join(bad))
)";
  const fs::path py = dir.parent_path() / (dir.filename().string() + "_check.py");
  std::ofstream(py) << script;
  std::string out, err;
  const int rc = test::run_command("/usr/bin/python3 " + py.string() + " " + dir.string(), &out, &err);
  fs::remove(py);
  if (rc != 0) return "the checker failed: " + err;
  const auto first_line = out.find('\n');
  if (out.rfind("checked 0", 0) == 0) return "no file checked";
  return std::regex_replace(out.substr(first_line + 1), std::regex("\\s+$"), "");
}

bool have_h5py() {
  std::string out, err;
  return test::run_command("/usr/bin/python3 -c 'import h5py, numpy'", &out, &err) == 0;
}

const char* kShortProtocol = " --set settle_time=0.1 --set pull_duration=0.3 --set pull_gap=0.1 --no-plots --threads 2";

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// A box (8 vertices) with extra degenerate geometry appended by `extra`.
std::string box_obj(double s, const std::string& extra = "") {
  std::string t;
  for (int x : {-1, 1})
    for (int y : {-1, 1})
      for (int z : {-1, 1})
        t +=
            "v " + std::to_string(x * s / 2) + " " + std::to_string(y * s / 2) + " " + std::to_string(z * s / 2) + "\n";
  return t + "f 1 3 4 2\nf 5 6 8 7\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf 2 4 8 6\n" + extra;
}

TEST(Adversarial, DegenerateMeshesGiveFiniteOutputsOrAClearError) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 cannot import h5py";
  const fs::path dir = temp_dir("meshes");
  fs::create_directories(dir / "objects");
  // Slivers: collinear and repeated-vertex triangles, duplicated faces, a needle, coincident vertices.
  write_text(dir / "objects" / "slivers.obj",
             box_obj(0.06,
                     "v 0.03 0.03 0.03\nv 0.03 0.03 0.03\nv 0.0300000001 0.03 0.03\nv -0.03 -0.03 -0.03\n"
                     "f 1 2 2\nf 9 10 11\nf 1 3 4 2\nf 1 3 4 2\nf 1 8 12\nf 2 2 2\n"));
  write_text(dir / "objects" / "open.obj", box_obj(0.05).substr(0, box_obj(0.05).rfind("f ")));  // a side missing
  write_text(dir / "objects" / "tiny.obj", box_obj(0.002));
  write_text(dir / "objects" / "flipped.obj",  // one side wound the wrong way
             box_obj(0.05).replace(box_obj(0.05).find("f 1 3 4 2"), 9, "f 2 4 3 1"));
  GenerateOptions g;
  g.hand = "robotiq2";
  g.grasps = 3;
  g.contacts = 4;
  g.sampler.iterations = 30;
  g.out = dir / "grasps";
  const auto reports = generate_dataset(g, discover_objects(dir / "objects"));
  for (const auto& r : reports) EXPECT_EQ(r.status, "generated") << r.name << ": " << r.error;

  // Meshes with no volume at all are refused with one line naming the file.
  write_text(dir / "point.obj", "v 0.1 0.1 0.1\nv 0.1 0.1 0.1\nv 0.1 0.1 0.1\nf 1 2 3\n");
  write_text(dir / "line.obj", "v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\nf 1 2 3\nf 2 3 4\n");
  for (const char* name : {"point.obj", "line.obj"}) {
    try {
      load_object(dir / name);
      ADD_FAILURE() << name << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }

  std::string out, err;
  ASSERT_EQ(test::run_command(test::cli_path() + " eval --grasps " + (dir / "grasps").string() + " --out " +
                                  (dir / "eval").string() + kShortProtocol,
                              &out, &err),
            0)
      << err;
  ASSERT_EQ(test::run_command(test::cli_path() + " metrics --grasps " + (dir / "grasps").string() + " --json " +
                                  (dir / "eval" / "metrics.json").string(),
                              &out, &err),
            0)
      << err;
  // Without the analytic metrics (NaN in memory: not computed) the eval files hold none of them.
  ASSERT_EQ(test::run_command(test::cli_path() + " eval --no-analytic --grasps " + (dir / "grasps").string() +
                                  " --out " + (dir / "eval_no_analytic").string() + kShortProtocol,
                              &out, &err),
            0)
      << err;
  EXPECT_EQ(non_finite_outputs(dir / "grasps"), "");
  EXPECT_EQ(non_finite_outputs(dir / "eval"), "");
  EXPECT_EQ(non_finite_outputs(dir / "eval_no_analytic"), "");
  fs::remove_all(dir);
}

// All contacts of a grasp on one candidate: the grasp matrix has rank 1 at most.
TEST(Adversarial, CoincidentContactsGiveFiniteEnergiesAndOutputs) {
  const HandModel hand = load_hand("allegro");
  const GraspType& type = hand.grasp_type("full");
  ObjectLoadOptions lo;
  lo.surface_samples = 300;
  const ObjectModel object = load_object(test::object_path("misc/apple.ply"), lo);
  const Eigen::VectorXd x = make_state(Vec3(0, 0, 0.12), Mat3::Identity(), hand.default_joints());
  const std::vector<int> same(12, 5);
  for (const char* kind : {"graspqp", "dexgraspnet", "tdg"}) {
    EnergyConfig config;
    config.force_closure = parse_force_closure_kind(kind);
    EnergyWorkspace ws(hand);
    EnergyTerms terms;
    Eigen::VectorXd grad;
    const double e = grasp_energy(hand, type, object, config, x, same, ws, terms, &grad);
    EXPECT_TRUE(std::isfinite(e)) << kind;
    EXPECT_TRUE(grad.allFinite()) << kind;
    for (double t : terms.values) EXPECT_TRUE(std::isfinite(t)) << kind;
  }

  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 cannot import h5py";
  const fs::path dir = temp_dir("coincident");
  GenerateOptions g;
  g.hand = "robotiq2";
  g.grasps = 3;
  g.contacts = 4;
  g.sampler.iterations = 20;
  g.out = dir / "generated";
  generate_dataset(g, name_objects({test::object_path("misc/apple.ply")}));
  GraspDataset d = read_grasp_file(dir / "generated" / "apple" / "robotiq2-full-graspqp.h5");
  d.contact_idx.setConstant(2);
  for (int i = 0; i < d.n_grasps() * d.n_contacts(); ++i)
    for (int k = 0; k < 3; ++k) d.contact_points[3 * i + k] = d.contact_points[k];
  fs::create_directories(dir / "grasps");
  write_grasp_file(dir / "grasps" / "coincident.h5", d);
  std::string out, err;
  ASSERT_EQ(test::run_command(test::cli_path() + " eval --grasps " + (dir / "grasps").string() + " --out " +
                                  (dir / "eval").string() + kShortProtocol,
                              &out, &err),
            0)
      << err;
  ASSERT_EQ(test::run_command(test::cli_path() + " metrics --grasps " + (dir / "grasps").string() + " --json " +
                                  (dir / "eval" / "metrics.json").string(),
                              &out, &err),
            0)
      << err;
  EXPECT_EQ(non_finite_outputs(dir / "eval"), "");
  fs::remove_all(dir);
}

// A hand whose actuated joint has equal limits (no range): initialization, energy, simulation, entropy.
TEST(Adversarial, EqualJointLimitsGiveFiniteOutputs) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 cannot import h5py";
  const fs::path dir = temp_dir("limits");
  const fs::path hand_dir = dir / "stiff_panda";
  fs::copy(test::hand_dir("panda"), hand_dir, fs::copy_options::recursive);
  std::string urdf = test::read_text(hand_dir / "franka_panda.urdf");
  const std::regex limit(R"(lower="[^"]*" upper="[^"]*")");
  urdf = std::regex_replace(urdf, limit, R"(lower="0.02" upper="0.02")");
  ASSERT_NE(urdf.find(R"(lower="0.02" upper="0.02")"), std::string::npos);
  write_text(hand_dir / "franka_panda.urdf", urdf);
  const HandModel hand = load_hand(hand_dir.string());
  ASSERT_EQ(hand.dof(), 1);
  EXPECT_EQ(hand.joints[0].lower, hand.joints[0].upper);

  GenerateOptions g;
  g.hand = hand_dir.string();
  g.grasps = 3;
  g.contacts = 4;
  g.sampler.iterations = 30;
  g.out = dir / "grasps";
  const auto reports = generate_dataset(g, name_objects({test::object_path("misc/apple.ply")}));
  ASSERT_EQ(reports[0].status, "generated") << reports[0].error;
  std::string out, err;
  // The file names the hand "panda" (its hand.json name): evaluate it with this folder.
  ASSERT_EQ(test::run_command(test::cli_path() + " eval --hand " + hand_dir.string() + " --grasps " +
                                  (dir / "grasps").string() + " --out " + (dir / "eval").string() + kShortProtocol,
                              &out, &err),
            0)
      << err;
  EXPECT_EQ(non_finite_outputs(dir / "grasps"), "");
  EXPECT_EQ(non_finite_outputs(dir / "eval"), "");
  const auto report = nlohmann::json::parse(test::read_text(dir / "eval" / "report.json"));
  EXPECT_EQ(report["files"][0]["joint_entropy_all"], 0.0);  // one bin: no spread
  fs::remove_all(dir);
}

// A user's grasp file with absurd but finite values: refused with a line, or simulated to finite results.
TEST(Adversarial, AbsurdGraspValuesGiveFiniteOutputsOrAClearError) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 cannot import h5py";
  const fs::path dir = temp_dir("absurd");
  GenerateOptions g;
  g.hand = "robotiq2";
  g.grasps = 4;
  g.contacts = 4;
  g.sampler.iterations = 10;
  g.out = dir / "generated";
  generate_dataset(g, name_objects({test::object_path("misc/apple.ply")}));
  GraspDataset d = read_grasp_file(dir / "generated" / "apple" / "robotiq2-full-graspqp.h5");
  d.joints(0, 0) = 1e200;          // far beyond the joint limits
  d.closing_delta(1, 0) = -1e200;  // a closing command no motor follows
  d.root_pose(2, 3) = 1e-300;      // a nearly zero quaternion
  d.root_pose.row(2).tail<3>().setConstant(1e-300);
  d.contact_idx(3, 0) = 1 << 30;  // a candidate that does not exist
  fs::create_directories(dir / "grasps");
  write_grasp_file(dir / "grasps" / "absurd.h5", d);
  std::string out, err;
  const int rc = test::run_command(test::cli_path() + " eval --grasps " + (dir / "grasps").string() + " --out " +
                                       (dir / "eval").string() + kShortProtocol,
                                   &out, &err);
  if (rc != 0) {  // after the progress lines, one error line: the zero quaternion refused by name
    const auto at = err.find("graspqp: error: ");
    ASSERT_NE(at, std::string::npos) << err;
    EXPECT_EQ(err.find('\n', at) + 1, err.size()) << err;
    EXPECT_NE(err.find("grasp 2", at), std::string::npos) << err;
  } else {
    EXPECT_EQ(non_finite_outputs(dir / "eval"), "");
  }
  d.root_pose.row(2) << 0, 0, 0.2, 1, 0, 0, 0;
  write_grasp_file(dir / "grasps" / "absurd.h5", d);
  ASSERT_EQ(test::run_command(test::cli_path() + " eval --grasps " + (dir / "grasps").string() + " --out " +
                                  (dir / "eval").string() + kShortProtocol,
                              &out, &err),
            0)
      << err;
  EXPECT_EQ(non_finite_outputs(dir / "eval"), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace graspqp
