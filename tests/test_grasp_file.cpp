// Grasp dataset I/O: HDF5 round trips, shape validation, atomic replacement, error messages,
// SHA-256, and readability from Python (h5py) when available.
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/sha256.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;

// A fresh, empty folder per test, removed afterwards.
class GraspFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("graspqp_test_grasp_file_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (const auto& e : fs::directory_iterator(dir_, ec))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> folder_entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

GraspDataset random_dataset(int N, int dof, int n, int k, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  GraspDataset d;
  d.root_pose.resize(N, 7);
  for (int i = 0; i < N; ++i) {
    Eigen::Vector4d q(uni(rng), uni(rng), uni(rng), uni(rng));
    q.normalize();
    if (q[0] < 0) q = -q;
    d.root_pose.row(i) << uni(rng), uni(rng), uni(rng), q[0], q[1], q[2], q[3];
  }
  d.joints = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, dof, [&] { return uni(rng); });
  for (int j = 0; j < dof; ++j) d.joint_names.push_back("joint_" + std::to_string(j) + "_ü");  // non-ASCII on purpose
  d.energy = Eigen::VectorXd::NullaryExpr(N, [&] { return uni(rng); });
  d.energy_terms = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, k, [&] { return uni(rng); });
  for (int t = 0; t < k; ++t) d.energy_term_names.push_back("term" + std::to_string(t));
  d.contact_idx = GraspDataset::RowMajorMatrix<int32_t>::NullaryExpr(N, n, [&] { return int32_t(rng() % 1000); });
  for (int i = 0; i < N * n * 3; ++i) {
    d.contact_points.push_back(uni(rng));
    d.contact_normals.push_back(uni(rng));
  }
  for (int i = 0; i < N * n; ++i) d.contact_links.push_back("link_" + std::to_string(rng() % 20));
  d.contact_forces = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, n, [&] { return uni(rng); });
  d.closing_delta = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, dof, [&] { return uni(rng); });
  d.pregrasp_joints = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, dof, [&] { return uni(rng); });
  d.squeeze_joints = GraspDataset::RowMajorMatrix<double>::NullaryExpr(N, dof, [&] { return uni(rng); });
  d.extra["valid"] = Eigen::VectorXd::NullaryExpr(N, [&] { return double(rng() % 2); });
  d.hand = "allegro";
  d.grasp_type = "full";
  d.energy_name = "graspqp";
  d.object_path = "objects/ycb/025_mug/mesh.obj";
  d.object_sha256 = sha256_string("mesh bytes");
  d.program_version = "0.1.0";
  d.scale = 0.75;
  d.object_center = Eigen::Vector3d(0.01, -0.02, 0.03);
  d.parameters_json = R"({"n_grasps": 5, "steps": 200, "name": "τ-test"})";
  d.seed = 0xfedcba9876543210ULL;  // > 2^63: must survive as uint64
  return d;
}

void expect_attributes_equal(const GraspDataset& a, const GraspDataset& b) {
  EXPECT_EQ(a.hand, b.hand);
  EXPECT_EQ(a.grasp_type, b.grasp_type);
  EXPECT_EQ(a.energy_name, b.energy_name);
  EXPECT_EQ(a.object_path, b.object_path);
  EXPECT_EQ(a.object_sha256, b.object_sha256);
  EXPECT_EQ(a.program_version, b.program_version);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.object_center, b.object_center);
  EXPECT_EQ(a.parameters_json, b.parameters_json);
  EXPECT_EQ(a.seed, b.seed);
}

void expect_equal(const GraspDataset& a, const GraspDataset& b) {
  EXPECT_EQ(a.n_grasps(), b.n_grasps());
  EXPECT_EQ(a.dof(), b.dof());
  EXPECT_EQ(a.n_contacts(), b.n_contacts());
  // Exact equality: float64 is stored losslessly.
  EXPECT_EQ(a.root_pose, b.root_pose);
  EXPECT_EQ(a.joints, b.joints);
  EXPECT_EQ(a.joint_names, b.joint_names);
  EXPECT_EQ(a.energy, b.energy);
  EXPECT_EQ(a.energy_terms, b.energy_terms);
  EXPECT_EQ(a.energy_terms.cols(), b.energy_terms.cols());
  EXPECT_EQ(a.energy_term_names, b.energy_term_names);
  EXPECT_EQ(a.contact_idx, b.contact_idx);
  EXPECT_EQ(a.contact_points, b.contact_points);
  EXPECT_EQ(a.contact_normals, b.contact_normals);
  EXPECT_EQ(a.contact_links, b.contact_links);
  EXPECT_EQ(a.contact_forces, b.contact_forces);
  EXPECT_EQ(a.closing_delta, b.closing_delta);
  EXPECT_EQ(a.pregrasp_joints, b.pregrasp_joints);
  EXPECT_EQ(a.squeeze_joints, b.squeeze_joints);
  ASSERT_EQ(a.extra.size(), b.extra.size());
  for (const auto& [name, values] : a.extra) {
    ASSERT_TRUE(b.extra.count(name)) << name;
    EXPECT_EQ(values, b.extra.at(name)) << name;
  }
  expect_attributes_equal(a, b);
}

// Asserts that f throws graspqp::Error whose message contains every needle.
template <typename Fn>
void expect_error(Fn&& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "expected graspqp::Error";
  } catch (const Error& e) {
    for (const auto& needle : needles) EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(GraspFileTest, RoundTripAllFieldsAndAttributes) {
  const auto d = random_dataset(5, 16, 12, 4, 1);
  const fs::path path = dir_ / "grasps.h5";
  write_grasp_file(path, d);
  expect_equal(d, read_grasp_file(path));
  EXPECT_EQ(folder_entries(), std::vector<std::string>{"grasps.h5"});  // no temp file left

  const auto attrs = read_grasp_file_attributes(path);
  expect_attributes_equal(d, attrs);
  EXPECT_EQ(attrs.n_grasps(), 0);  // arrays are not loaded

  // Overwriting an existing file replaces it completely (different shapes, no extras).
  auto d2 = random_dataset(3, 7, 2, 1, 2);
  d2.extra.clear();
  write_grasp_file(path, d2);
  expect_equal(d2, read_grasp_file(path));
}

// The pregrasp and squeeze poses are optional: a file without them (earlier versions, other tools) reads
// back without them; one pose alone, or one of the wrong shape, is refused before anything is written.
TEST_F(GraspFileTest, PregraspAndSqueezeAreOptionalButBothOrNeither) {
  auto d = random_dataset(4, 16, 12, 4, 3);
  d.pregrasp_joints.resize(0, 0);
  d.squeeze_joints.resize(0, 0);
  write_grasp_file(dir_ / "none.h5", d);
  const GraspDataset none = read_grasp_file(dir_ / "none.h5");
  EXPECT_EQ(none.pregrasp_joints.size(), 0);
  EXPECT_EQ(none.squeeze_joints.size(), 0);
  expect_equal(d, none);

  auto one = random_dataset(4, 16, 12, 4, 3);
  one.squeeze_joints.resize(0, 0);
  expect_error([&] { write_grasp_file(dir_ / "one.h5", one); }, {"one.h5", "squeeze_joints is 0x0, expected 4x16"});
  auto shape = random_dataset(4, 16, 12, 4, 3);
  shape.pregrasp_joints.conservativeResize(4, 15);
  expect_error([&] { write_grasp_file(dir_ / "shape.h5", shape); }, {"pregrasp_joints is 4x15, expected 4x16"});
  auto nan = random_dataset(4, 16, 12, 4, 3);
  nan.squeeze_joints(2, 3) = std::nan("");
  expect_error([&] { write_grasp_file(dir_ / "nan.h5", nan); }, {"squeeze_joints holds a non-finite value"});
  EXPECT_EQ(folder_entries(), std::vector<std::string>{"none.h5"});
}

// HDF5 records object times by default; a file written a second later must still have the same bytes
// (datasets are compared by SHA-256 across runs, shards and MPI ranks).
TEST_F(GraspFileTest, SameContentsGiveSameBytesAtAnotherTime) {
  const auto d = random_dataset(4, 16, 12, 4, 7);
  write_grasp_file(dir_ / "a.h5", d);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // object times have one-second resolution
  write_grasp_file(dir_ / "b.h5", d);
  const std::string a = test::read_text(dir_ / "a.h5"), b = test::read_text(dir_ / "b.h5");
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b);
}

TEST_F(GraspFileTest, ZeroGraspsRoundTrip) {
  const auto d = random_dataset(0, 16, 12, 4, 3);
  ASSERT_EQ(d.n_grasps(), 0);
  const fs::path path = dir_ / "empty.h5";
  write_grasp_file(path, d);
  const auto r = read_grasp_file(path);
  expect_equal(d, r);
  EXPECT_EQ(r.dof(), 16);  // shapes (0, DOF) keep DOF and n
  EXPECT_EQ(r.n_contacts(), 12);
  EXPECT_EQ(r.extra.at("valid").size(), 0);
}

TEST_F(GraspFileTest, NoEnergyTermsRoundTrip) {
  const auto d = random_dataset(2, 3, 1, 0, 4);  // zero-length name attribute
  const fs::path path = dir_ / "no_terms.h5";
  write_grasp_file(path, d);
  expect_equal(d, read_grasp_file(path));
}

TEST_F(GraspFileTest, ShapeMismatchRejectedWithoutWriting) {
  const fs::path path = dir_ / "bad.h5";
  auto bad_joints = random_dataset(5, 16, 12, 4, 5);
  bad_joints.joints.conservativeResize(4, 16);
  expect_error([&] { write_grasp_file(path, bad_joints); }, {path.string(), "joints"});

  auto bad_points = random_dataset(5, 16, 12, 4, 5);
  bad_points.contact_points.pop_back();
  expect_error([&] { write_grasp_file(path, bad_points); }, {path.string(), "contact_points"});

  auto bad_names = random_dataset(5, 16, 12, 4, 5);
  bad_names.joint_names.pop_back();
  expect_error([&] { write_grasp_file(path, bad_names); }, {path.string(), "joint_names"});

  auto bad_extra = random_dataset(5, 16, 12, 4, 5);
  bad_extra.extra["valid"].resize(3);
  expect_error([&] { write_grasp_file(path, bad_extra); }, {path.string(), "valid"});

  auto clashing_extra = random_dataset(5, 16, 12, 4, 5);
  clashing_extra.extra["energy"] = Eigen::VectorXd::Zero(5);
  expect_error([&] { write_grasp_file(path, clashing_extra); }, {path.string(), "energy"});

  EXPECT_TRUE(folder_entries().empty());
}

TEST_F(GraspFileTest, FailedWriteKeepsOldFileAndLeavesNoTemp) {
  const auto d = random_dataset(5, 16, 12, 4, 6);
  const fs::path path = dir_ / "grasps.h5";
  write_grasp_file(path, d);
  const std::string old_hash = sha256_file(path);

  fs::path seen_tmp;
  EXPECT_THROW(write_file_atomically(path,
                                     [&](const fs::path& tmp) {
                                       seen_tmp = tmp;
                                       // An unnamed file of the folder (O_TMPFILE, reached through /proc) or,
                                       // where the file system has none, a hidden temporary beside the file.
                                       if (tmp.parent_path() != "/proc/self/fd") {
                                         EXPECT_EQ(tmp.parent_path(), path.parent_path());
                                         EXPECT_EQ(tmp.filename().string().rfind(".grasps.h5.tmp.", 0), 0u) << tmp;
                                       }
                                       std::ofstream(tmp, std::ios::trunc) << "half-written garbage";
                                       throw std::runtime_error("writer failed midway");
                                     }),
               std::runtime_error);
  EXPECT_FALSE(seen_tmp.empty());
  if (seen_tmp.parent_path() != "/proc/self/fd") EXPECT_FALSE(fs::exists(seen_tmp));
  EXPECT_EQ(folder_entries(), std::vector<std::string>{"grasps.h5"});
  EXPECT_EQ(sha256_file(path), old_hash);
  expect_equal(d, read_grasp_file(path));
}

TEST_F(GraspFileTest, NonFiniteValuesRejectedWithoutWriting) {
  const fs::path path = dir_ / "grasps.h5";
  auto nan_energy = random_dataset(5, 16, 12, 4, 5);
  nan_energy.energy[3] = std::nan("");
  expect_error([&] { write_grasp_file(path, nan_energy); }, {path.string(), "energy", "non-finite", "entry 3"});
  auto inf_normal = random_dataset(5, 16, 12, 4, 5);
  inf_normal.contact_normals[7] = -INFINITY;
  expect_error([&] { write_grasp_file(path, inf_normal); }, {path.string(), "contact_normals", "non-finite"});
  auto nan_extra = random_dataset(5, 16, 12, 4, 5);
  nan_extra.extra["valid"][0] = std::nan("");
  expect_error([&] { write_grasp_file(path, nan_extra); }, {path.string(), "valid", "non-finite"});
  EXPECT_TRUE(folder_entries().empty());
}

// A writer killed with SIGKILL halfway leaves nothing in the folder (an unnamed O_TMPFILE file until the
// content is complete) and the previous file intact.
TEST_F(GraspFileTest, KilledWriterLeavesNothingBehind) {
  const int probe = ::open(dir_.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0)
    GTEST_SKIP() << "the file system of " << dir_
                 << " has no O_TMPFILE (a killed writer would leave a hidden temporary)";
  ::close(probe);
  const fs::path path = dir_ / "grasps.h5";
  write_grasp_file(path, random_dataset(5, 16, 12, 4, 6));
  const std::string before = test::read_text(path);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    write_file_atomically(path, [](const fs::path& tmp) {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << std::string(1 << 20, 'x') << std::flush;
      ::raise(SIGKILL);
    });
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(folder_entries(), std::vector<std::string>{"grasps.h5"});
  EXPECT_TRUE(test::read_text(path) == before);
}

// A full disk (a small tmpfs): one line with the OS's reason, the previous file kept, no partial file.
TEST_F(GraspFileTest, FullDiskIsAnErrorAndKeepsTheOldFile) {
  test::TmpfsMount disk(dir_ / "disk", 64 << 10);
  if (!disk.ok()) GTEST_SKIP() << disk.why();
  const fs::path path = disk.path() / "grasps.h5";
  write_grasp_file(path, random_dataset(2, 16, 12, 4, 6));
  const std::string before = test::read_text(path);
  expect_error([&] { write_grasp_file(path, random_dataset(400, 16, 12, 8, 6)); },
               {path.string(), "No space left on device"});
  EXPECT_TRUE(test::read_text(path) == before);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(disk.path())) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"grasps.h5"});
}

TEST_F(GraspFileTest, WriteTextAtomically) {
  const fs::path path = dir_ / "summary.json";
  write_text_atomically(path, "first");
  write_text_atomically(path, "{\"second\": true}\n");
  EXPECT_EQ(test::read_text(path), "{\"second\": true}\n");
  EXPECT_EQ(folder_entries(), std::vector<std::string>{"summary.json"});
}

TEST_F(GraspFileTest, UnwritableDirectoryIsAnError) {
  fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  // Root ignores permission bits; then use a folder the kernel refuses for everyone.
  if (::access(locked.c_str(), W_OK) == 0) locked = "/sys";
  const fs::path path = locked / "grasps.h5";
  expect_error([&] { write_grasp_file(path, random_dataset(2, 3, 4, 1, 7)); }, {path.string()});
  expect_error([&] { write_text_atomically(path, "x"); }, {path.string(), "cannot create"});
  expect_error([&] { write_text_atomically(dir_ / "missing" / "x.json", "x"); }, {"does not exist"});
}

TEST_F(GraspFileTest, ReadingBadFilesIsAnError) {
  const fs::path text = dir_ / "not_hdf5.h5";
  write_text_atomically(text, "this is not an HDF5 file\n");
  expect_error([&] { read_grasp_file(text); }, {text.string(), "not an HDF5 file"});
  expect_error([&] { read_grasp_file_attributes(text); }, {text.string(), "not an HDF5 file"});

  const fs::path missing = dir_ / "missing.h5";
  expect_error([&] { read_grasp_file(missing); }, {missing.string(), "not found"});

  // A truncated HDF5 file (e.g. copied mid-write by some other tool).
  const fs::path good = dir_ / "good.h5";
  write_grasp_file(good, random_dataset(5, 16, 12, 4, 8));
  const fs::path truncated = dir_ / "truncated.h5";
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, fs::file_size(good) / 2);
  expect_error([&] { read_grasp_file(truncated); }, {truncated.string()});
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_string("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_string(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const fs::path path = fs::temp_directory_path() / ("graspqp_sha_" + std::to_string(::getpid()));
  std::string big(3 << 20, 'x');  // spans several read chunks
  big += "abc";
  write_text_atomically(path, big);
  EXPECT_EQ(sha256_file(path), sha256_string(big));
  fs::remove(path);
  expect_error([&] { sha256_file(path); }, {path.string()});
}

// The first interpreter that can import h5py (Debian's python3-h5py lives in /usr/bin/python3,
// which may be shadowed on PATH by another python3).
std::string python_with_h5py() {
  for (const std::string py : {"python3", "/usr/bin/python3"}) {
    std::string out, err;
    if (test::run_command(py + " -c 'import h5py, numpy'", &out, &err) == 0) return py;
  }
  return "";
}

TEST_F(GraspFileTest, ReadableWithH5py) {
  const std::string python = python_with_h5py();
  if (python.empty()) GTEST_SKIP() << "h5py not importable";

  const fs::path path = dir_ / "grasps.h5";
  write_grasp_file(path, random_dataset(5, 16, 12, 4, 9));
  const fs::path empty_path = dir_ / "empty.h5";
  write_grasp_file(empty_path, random_dataset(0, 16, 12, 4, 10));

  const fs::path script = dir_ / "check.py";
  write_text_atomically(script, R"PY(
import json, sys
import h5py, numpy as np

def check(path, N):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "graspqp-grasps", f.attrs["format"]
        assert int(f.attrs["format_version"]) == 1
        for key in ("hand", "grasp_type", "energy", "object_path", "object_sha256", "program_version", "parameters"):
            assert isinstance(f.attrs[key], str), (key, type(f.attrs[key]))
        params = json.loads(f.attrs["parameters"])
        assert params["steps"] == 200 and params["name"] == "\u03c4-test", params
        assert f.attrs["hand"] == "allegro"
        assert f.attrs["seed"].dtype == np.uint64 and int(f.attrs["seed"]) == 0xfedcba9876543210
        assert f.attrs["scale"].dtype == np.float64 and float(f.attrs["scale"]) == 0.75
        assert f.attrs["object_center"].shape == (3,) and f.attrs["object_center"].dtype == np.float64
        shapes = {"root_pose": (N, 7), "joints": (N, 16), "energy": (N,), "energy_terms": (N, 4),
                  "contact_idx": (N, 12), "contact_points": (N, 12, 3), "contact_normals": (N, 12, 3),
                  "contact_links": (N, 12), "contact_forces": (N, 12), "closing_delta": (N, 16), "valid": (N,)}
        for name, shape in shapes.items():
            assert f[name].shape == shape, (name, f[name].shape, shape)
        for name in shapes:
            if name not in ("contact_idx", "contact_links"):
                assert f[name].dtype == np.float64, (name, f[name].dtype)
        assert f["contact_idx"].dtype == np.int32
        names = list(f["joints"].attrs["joint_names"])
        assert len(names) == 16 and all(isinstance(s, str) for s in names), names
        assert names[0] == "joint_0_\u00fc", names[0]
        terms = list(f["energy_terms"].attrs["names"])
        assert terms == ["term0", "term1", "term2", "term3"], terms
        links = f["contact_links"].asstr()[()]
        assert links.shape == (N, 12)
        assert all(isinstance(s, str) and s.startswith("link_") for s in links.ravel())
        if N:
            q = f["root_pose"][:, 3:]
            assert np.all(q[:, 0] >= 0) and np.allclose(np.linalg.norm(q, axis=1), 1)

check(sys.argv[1], 5)
check(sys.argv[2], 0)
print("ok")
)PY");
  std::string out, err;
  const int rc =
      test::run_command(python + " " + script.string() + " " + path.string() + " " + empty_path.string(), &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_EQ(out, "ok\n") << err;
}

// A file written by another tool with a NaN in it is refused on reading, naming the dataset and entry.
TEST_F(GraspFileTest, NonFiniteValuesRefusedOnReading) {
  const std::string python = python_with_h5py();
  if (python.empty()) GTEST_SKIP() << "h5py not importable";
  const fs::path path = dir_ / "nan.h5";
  write_grasp_file(path, random_dataset(5, 16, 12, 4, 5));
  std::string out, err;
  ASSERT_EQ(test::run_command(python + " -c \"import h5py, numpy as np; f = h5py.File('" + path.string() +
                                  "', 'r+'); e = f['energy']; e[1] = np.nan; f.close()\"",
                              &out, &err),
            0)
      << err;
  expect_error([&] { read_grasp_file(path); }, {path.string(), "energy holds a non-finite value (entry 1)"});
  EXPECT_NO_THROW(read_grasp_file_attributes(path));  // attributes only: a resume check still works
}

}  // namespace
}  // namespace graspqp
