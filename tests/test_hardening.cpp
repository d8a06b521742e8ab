// Values that make no sense are refused with one line naming the option (or field, or file) and the allowed
// range: protocol fields, eval / metrics / view options, more contacts than candidates, meshes over the
// triangle limit, malformed hand JSON files. Messages are one line by construction (graspqp::Error).
#include <graspqp/check.hpp>
#include <graspqp/dataset/generate.hpp>
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/report/eval_job.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <fstream>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("graspqp_test_hardening_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// f() throws graspqp::Error whose one-line message holds every needle.
template <class Fn>
void expect_refused(Fn&& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "accepted; expected an error with '" << needles.front() << "'";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    for (const auto& n : needles) EXPECT_NE(m.find(n), std::string::npos) << "'" << n << "' not in: " << m;
  }
}

TEST(Hardening, ErrorMessagesAreOneLineWhateverTheyQuote) {
  const Error e("a.obj\nb: bad\r\tvalue \x01");
  EXPECT_STREQ(e.what(), "a.obj\\nb: bad\\r\\tvalue \\x01");
  EXPECT_THROW(GRASPQP_CHECK(1 + 1 == 3, "arithmetic"), InternalError);
  try {
    GRASPQP_CHECK(false, "why");
  } catch (const InternalError& ie) {
    EXPECT_NE(std::string(ie.what()).find("internal error"), std::string::npos);
    EXPECT_NE(std::string(ie.what()).find("why"), std::string::npos);
  }
  const nlohmann::json ok = {{"a", 1.5}, {"b", {nullptr, 2}}};
  EXPECT_NO_THROW(check_finite_numbers(ok, "report"));
  nlohmann::json bad = ok;
  bad["b"][1] = std::nan("");
  EXPECT_THROW(check_finite_numbers(bad, "report"), InternalError);
}

struct Setting {
  std::string name, setting, expected;
  friend void PrintTo(const Setting& s, std::ostream* os) { *os << s.name; }
};
class ProtocolRanges : public ::testing::TestWithParam<Setting> {};

TEST_P(ProtocolRanges, RefusedWithTheKeyAndRange) {
  expect_refused([&] { load_protocol("graspqp", "", {GetParam().setting}); }, {GetParam().expected});
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProtocolRanges,
    ::testing::Values(
        Setting{"NegativeFriction", "friction=-1", "friction must be in [0, 100] (got -1)"},
        Setting{"ZeroTimestep", "timestep=0", "timestep must be in (0, 0.05]"},
        Setting{"HugeTimestep", "timestep=1e999", "bad value for 'timestep'"},
        Setting{"FractionalIterations", "solver_iterations=1.5", "'solver_iterations': 1.5 (expected an integer)"},
        Setting{"HugeIterations", "solver_iterations=123456789012", "at most 1e9"},
        Setting{"ZeroIterations", "solver_iterations=0", "solver_iterations must be in [1, 10000]"},
        Setting{"NegativeMagnitude", "magnitude=-3", "magnitude must be in [0, 10000] N"},
        Setting{"NegativeSettle", "settle_time=-0.1", "settle_time must be in [0, 3600] s"},
        Setting{"EndlessPull", "pull_duration=1e9", "pull_duration must be in [0, 3600] s"},
        Setting{"TooManySteps", "timestep=1e-7", "more than 1e7"},
        Setting{"NegativeThreshold", "grasp_success_fraction=0", "grasp_success_fraction must be in (0, 1]"},
        Setting{"BadSolimp", "solimp_dmin=0.999", "solimp_dmin"},
        Setting{"NegativeKp", "kp_scale=-1", "kp_scale must be in (0, 1000]"},
        Setting{"ClosingScale", "closing_scale=-2", "closing_scale must be in [0, 10]"},
        Setting{"NegativeMargin", "margin=-0.01", "margin must be in [0, 0.1] m"},
        Setting{"Impratio", "impratio=0", "impratio must be in (0, 1000]"}, Setting{"NoTests", "tests=[]", "no tests"},
        Setting{"ZeroDirection", "tests=[[[0,0,0]]]", "zero or not finite"},
        Setting{"DirectionNotNumbers", "tests=[[[\"a\",0,0]]]", "not [x, y, z] of numbers"},
        Setting{"TestNamesNotStrings", "test_names=[1,2,3]", "a list of UTF-8 strings"},
        Setting{"BoolAsNumber", "multiccd=1", "'multiccd': 1 (expected true or false)"},
        Setting{"NameNotUtf8", "name=\xff\xfe", "expected a UTF-8 string"},
        Setting{"UnknownKey", "frction=1", "unknown key 'frction'"},
        Setting{"KeyWithNewline", "fric\ntion=1", "unknown key 'fric\\ntion'"},
        Setting{"NoEquals", "friction", "expected key=value"}),
    [](const auto& info) { return info.param.name; });

TEST(Hardening, ProtocolWithoutDurationIsRefused) {
  expect_refused(
      [] {
        load_protocol("graspqp", "", {"tests=[[]]", "settle_time=0", "test_names=[\"a\"]"});
      },
      {"test 0 lasts no time step"});
  expect_refused(
      [] {
        load_protocol("dexgraspnet", "", {"object_mass=0", "object_density=-1"});
      },
      {"object_density must be in (0, 100000]"});
}

TEST(Hardening, ProtocolConfigFileIsTyped) {
  const fs::path dir = temp_dir("protocol");
  std::ofstream(dir / "p.json") << R"({"friction": "high"})";
  expect_refused([&] { load_protocol("graspqp", dir / "p.json", {}); }, {"'friction'", "expected a number"});
  std::ofstream(dir / "q.json") << R"([1, 2])";
  expect_refused([&] { load_protocol("graspqp", dir / "q.json", {}); }, {"must be a JSON object"});
  expect_refused([&] { load_protocol("graspqp", dir, {}); }, {dir.string(), "not a regular file"});
  fs::remove_all(dir);
}

TEST(Hardening, EvalOptionsAreRanged) {
  auto refused = [](auto change, const std::string& expected) {
    EvalOptions o;
    change(o);
    expect_refused([&] { validate_eval_options(o); }, {expected});
  };
  refused([](EvalOptions& o) { o.trials = 0; }, "--trials must be in [1, 1000] (got 0)");
  refused([](EvalOptions& o) { o.threads = -2; }, "--threads must be in [0, 4096] (got -2)");
  refused([](EvalOptions& o) { o.perturb_translation = -0.001; }, "--perturb-translation must be in [0, 0.1] m");
  refused([](EvalOptions& o) { o.perturb_rotation_deg = 360; }, "--perturb-rotation must be in [0, 180] deg");
  refused([](EvalOptions& o) { o.scene.object_hacd.concavity = 0; }, "--concavity must be in (0, 1000]");
  refused([](EvalOptions& o) { o.scene.object_hacd.target_faces = -1; }, "--hacd-faces must be in [0, 1e+07]");
  refused([](EvalOptions& o) { o.metrics.contact_threshold = -1; }, "--contact-threshold must be in [0, 0.1] m");
  refused([](EvalOptions& o) { o.metrics.q1.friction = 0; }, "--friction (Q1) must be in (0, 10]");
  refused([](EvalOptions& o) { o.protocol.friction = std::nan(""); }, "friction must be in [0, 100] (got nan)");
  EXPECT_NO_THROW(validate_eval_options(EvalOptions{}));
}

// The CLI verbs: one line on stderr naming the option, non-zero exit, before any work.
struct CliCase {
  std::string name, args, expected;
  friend void PrintTo(const CliCase& c, std::ostream* os) { *os << c.name; }
};
class CliRanges : public ::testing::TestWithParam<CliCase> {};

TEST_P(CliRanges, OneLineNamingTheOption) {
  const fs::path dir = temp_dir("cli_" + GetParam().name);
  std::string args = GetParam().args;
  auto put = [&](const std::string& key, const std::string& value) {
    for (auto p = args.find(key); p != std::string::npos; p = args.find(key)) args.replace(p, key.size(), value);
  };
  put("{dir}", dir.string());
  put("{apple}", test::object_path("misc/apple.ply").string());
  put("{h5}", (dir / "none.h5").string());
  std::string out, err;
  EXPECT_NE(test::run_command(test::cli_path() + " " + args, &out, &err), 0);
  EXPECT_NE(err.find(GetParam().expected), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliRanges,
    ::testing::Values(
        CliCase{"ContactsBeyondCandidates",
                "generate --hand panda --object {apple} --contacts 17 --iters 1 --out {dir}/o",
                "--contacts must be in [1, 16] for hand 'panda', grasp type 'full' (its contact candidates; got 17)"},
        CliCase{"ContactsBeyondPinch",
                "generate --hand allegro --grasp-type pinch --object {apple} --contacts 1000 --out {dir}/o",
                "--contacts must be in [1, 16] for hand 'allegro', grasp type 'pinch'"},
        CliCase{"EvalSetFriction", "eval --grasps {apple} --out {dir}/e --set friction=-1",
                "friction must be in [0, 100]"},
        CliCase{"EvalTrials", "eval --grasps {apple} --out {dir}/e --trials 0", "--trials must be in [1, 1000]"},
        CliCase{"EvalPerturbation", "eval --grasps {apple} --out {dir}/e --perturb-rotation -5", "--perturb-rotation"},
        CliCase{"ValidateSet",
                "generate --hand allegro --object {apple} --out {dir}/o --validate graspqp --validate-set timestep=0",
                "timestep must be in (0, 0.05]"},
        CliCase{"MetricsFriction", "metrics --grasps {h5} --friction -0.2", "--friction (Q1) must be in (0, 10]"},
        CliCase{"MetricsThreshold", "metrics --grasps {h5} --contact-threshold 5",
                "--contact-threshold must be in [0, 0.1] m"},
        CliCase{"ViewLimit", "view --grasps {h5} --limit -1 --out {dir}/v", "--limit must be in [0, 1e+09]"},
        CliCase{"ViewTriangles", "view --grasps {h5} --max-object-triangles 3 --out {dir}/v", "--max-object-triangles"},
        CliCase{"ViewHugeIndex", "view --grasps {h5} --index 1e300 --out {dir}/v", "is not a row number"},
        CliCase{"EmptyArgument", "generate '' --overwrite", "argument 2 is empty"},
        CliCase{"SdfScale", "sdf --object {apple} --scale -1", "--scale must be a positive number"},
        CliCase{"FkJoints", "fk --hand panda --joints 0.1,nan", "--joints: 'nan' is not a finite number"}),
    [](const auto& info) { return info.param.name; });

TEST(Hardening, ContactsUpToTheCandidatesAreAccepted) {
  const fs::path dir = temp_dir("contacts_ok");
  GenerateOptions g;
  g.hand = "panda";
  g.grasps = 1;
  g.contacts = 16;
  g.sampler.iterations = 2;
  g.out = dir / "o";
  const auto reports = generate_dataset(g, name_objects({test::object_path("misc/apple.ply")}));
  EXPECT_EQ(reports.at(0).status, "generated") << reports.at(0).error;
  g.contacts = 17;
  expect_refused([&] { generate_dataset(g, name_objects({test::object_path("misc/apple.ply")})); },
                 {"--contacts must be in [1, 16]"});
  fs::remove_all(dir);
}

// Meshes over the documented limits are refused before they are parsed (bounded memory).
TEST(Hardening, MeshesOverTheLimitsAreRefusedBeforeParsing) {
  const fs::path dir = temp_dir("mesh_limit");
  // A PLY header declaring far too much (a few bytes on disk: assimp would allocate for the declared counts).
  std::ofstream(dir / "huge_faces.ply")
      << "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
         "property float z\nelement face 2000001\nproperty list uchar int vertex_indices\n"
         "end_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";
  expect_refused([&] { load_mesh(dir / "huge_faces.ply"); },
                 {"huge_faces.ply", "mesh too large: 2000001 triangles, more than the limit of 2000000"});
  std::ofstream(dir / "huge_vertices.ply") << "ply\nformat binary_little_endian 1.0\nelement vertex 1000000000000\n"
                                              "property float x\nend_header\n";
  expect_refused([&] { load_mesh(dir / "huge_vertices.ply"); }, {"1000000000000 vertices", "6000000"});
  // A binary STL whose header claims 3 million triangles.
  {
    std::string stl(84, '\0');
    const std::uint32_t n = 3'000'000;
    std::memcpy(stl.data() + 80, &n, 4);
    std::ofstream(dir / "claims.stl", std::ios::binary) << stl;
  }
  expect_refused([&] { load_mesh(dir / "claims.stl"); }, {"claims.stl", "3000000 triangles"});
  // An OBJ that really holds one triangle too many (quads count twice).
  {
    std::ofstream obj(dir / "big.obj");
    obj << "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\n";
    for (int i = 0; i < 1'000'000; ++i) obj << "f 1 2 4 3\n";
    obj << "f 1 2 3\n";
  }
  expect_refused([&] { load_mesh(dir / "big.obj"); }, {"big.obj", "2000001 triangles"});
  // PLY files assimp 5.2 reads past the end of (found by fuzzing): no end_header, binary data cut short.
  std::ofstream(dir / "no_end.ply") << "ply\nformat binary_big_endian 1.0\nelement vertex 4\nproperty float x\n";
  expect_refused([&] { load_mesh(dir / "no_end.ply"); }, {"no_end.ply", "no end_header line"});
  std::ofstream(dir / "short.ply") << "ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\n"
                                      "property float y\nproperty float z\nend_header\n"
                                   << std::string(20, '\0');
  expect_refused([&] { load_mesh(dir / "short.ply"); }, {"short.ply", "truncated PLY file", "at least 48 bytes"});
  // A file over the size limit (sparse: no disk space used).
  {
    std::ofstream(dir / "padded.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
    fs::resize_file(dir / "padded.obj", kMaxMeshFileBytes + 1);
  }
  expect_refused([&] { load_mesh(dir / "padded.obj"); }, {"padded.obj", "mesh file too large"});
  // At the limits' scale everything else is fine: the CLI reports the same line.
  std::string out, err;
  EXPECT_NE(test::run_command(test::cli_path() + " sdf --object " + (dir / "huge_faces.ply").string() + " < /dev/null",
                              &out, &err),
            0);
  EXPECT_NE(err.find("more than the limit of 2000000"), std::string::npos) << err;
  fs::remove_all(dir);
}

// Hand folders with JSON of the wrong shape: one line naming the file, never a nlohmann exception.
struct HandCase {
  std::string name, file, content, expected;
  friend void PrintTo(const HandCase& c, std::ostream* os) { *os << c.name; }
};
class HandFiles : public ::testing::TestWithParam<HandCase> {};

TEST_P(HandFiles, RefusedNamingTheFile) {
  const fs::path dir = temp_dir("hand_" + GetParam().name) / "panda";
  fs::copy(test::hand_dir("panda"), dir, fs::copy_options::recursive);
  const fs::path file = dir / GetParam().file;
  std::string content = GetParam().content;
  if (GetParam().file == "hand.json") {  // a key of the bundled hand.json replaced or added
    nlohmann::json config = read_json_file(file);
    const auto patch = nlohmann::json::parse(content);
    for (auto it = patch.begin(); it != patch.end(); ++it) config[it.key()] = it.value();
    content = config.dump();
  }
  std::ofstream(file, std::ios::trunc) << content;
  expect_refused([&] { load_hand(dir.string()); }, {file.string(), GetParam().expected});
  fs::remove_all(dir.parent_path());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HandFiles,
    ::testing::Values(
        HandCase{"VisualAsCollisionNumber", "hand.json", R"({"visual_as_collision": 1})", "must be true or false"},
        HandCase{"DefaultPoseString", "hand.json", R"({"default_pose": {"panda_finger_joint1": "open"}})",
                 "must be a finite number"},
        HandCase{"DefaultPoseList", "hand.json", R"({"default_pose": [1, 2]})", "'default_pose' must be a JSON object"},
        HandCase{"CouplingsNotList", "hand.json", R"({"couplings": 3})", "'couplings' must be a list"},
        HandCase{"CouplingJointNumber", "hand.json", R"({"couplings": [{"joint": 1, "follows": "x"}]})",
                 "must be a string"},
        HandCase{"GraspTypeInitWord", "hand.json",
                 R"({"grasp_type_init": {"full": {"panda_finger_joint1": "closed"}}})",
                 R"(must be a number, "upper" or "lower")"},
        HandCase{"AxisOverflow", "hand.json", R"({"approach_axis": [1e308, 1e308, 0]})", "must be finite"},
        HandCase{"ContactsNotObject", "contact_points.json", "[1, 2, 3]", "the file must be a JSON object"},
        HandCase{"ContactCountFloat", "contact_points.json",
                 R"({"panda_leftfinger": [["contacts/contact_panda_finger.obj", 1e300]]})",
                 "must be an integer in [0, 100000]"},
        HandCase{"ContactPointString", "contact_points.json", R"({"panda_leftfinger": [[0, "a", 0]]})",
                 "must be a finite number"},
        HandCase{"ContactEntryObject", "contact_points.json", R"({"panda_leftfinger": [{"a": 1, "b": 2}]})",
                 "must be [mesh, n] or [x, y, z]"},
        HandCase{"SpheresList", "penetration_points.json", "[[0, 0, 0, 1]]", "the file must be a JSON object"},
        HandCase{"SphereRadiusString", "penetration_points.json", R"({"panda_leftfinger": [[0, 0, 0, "r"]]})",
                 "must be a finite number"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace graspqp
