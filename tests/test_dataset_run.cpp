// Dataset jobs as users run them: separate `graspqp dataset run` processes per shard, MPI, kill -9 and
// rerun, a missing mesh, a read-only folder; every unit's file equals a single-process run byte for byte.
#include <graspqp/io/json_file.hpp>
#include <graspqp/io/sha256.hpp>

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "test_util.hpp"

namespace fs = std::filesystem;
using graspqp::test::run_command;
using nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

class DatasetRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::path(testing::TempDir()) / ("dataset_run_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    // 4 small objects x 2 hands, tiny iteration counts; the reference: one process, all units.
    json spec = {{"hands", {"allegro", "leap"}},
                 {"objects",
                  {graspqp::test::object_path("ycb/mug/textured.obj").string(),
                   graspqp::test::object_path("misc/apple.ply").string(),
                   graspqp::test::object_path("ycb/banana/textured.obj").string(),
                   graspqp::test::object_path("ycb/cracker_box/textured.obj").string()}},
                 {"grasps", 3},
                 {"contacts", 8},
                 {"iters", 60},
                 {"surface-samples", 500},
                 {"seed", 11}};
    std::ofstream(root_ / "spec.json") << spec.dump(1);
    reference_ = root_ / "reference";
    ASSERT_EQ(cli("dataset plan --spec " + q(root_ / "spec.json") + " --out " + q(reference_)), 0);
    ASSERT_EQ(cli("dataset run " + q(reference_) + " --shard 0/1 --threads 2"), 0);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  static int cli(const std::string& args, std::string* out = nullptr, std::string* err = nullptr) {
    std::string o, e;
    const int rc = run_command(graspqp::test::cli_path() + " " + args, &o, &e);
    if (out) *out = o;
    if (err) *err = e;
    return rc;
  }
  fs::path planned(const std::string& name) {
    const fs::path dir = root_ / name;
    fs::remove_all(dir);
    EXPECT_EQ(cli("dataset plan --spec " + q(root_ / "spec.json") + " --out " + q(dir)), 0);
    return dir;
  }
  // Every grasp file of the reference, with the same bytes in `dir`; no temporary left behind.
  static void expect_same_files(const fs::path& dir) {
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(reference_)) {
      if (e.path().extension() != ".h5") continue;
      const fs::path rel = fs::relative(e.path(), reference_);
      ++files;
      ASSERT_TRUE(fs::exists(dir / rel)) << rel;
      EXPECT_EQ(graspqp::sha256_file(e.path()), graspqp::sha256_file(dir / rel)) << rel;
    }
    EXPECT_EQ(files, 8);
    for (const auto& e : fs::recursive_directory_iterator(dir))
      EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
  static json status(const fs::path& dir) {
    std::string out;
    EXPECT_EQ(cli("dataset status " + q(dir) + " --json", &out), 0);
    return json::parse(out);
  }
  static int grasp_files(const fs::path& dir) {
    int n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      n += it->path().extension() == ".h5";
    return n;
  }
  // Waits until `dir` holds `files` grasp files, then SIGKILLs the processes whose command line matches
  // `pattern` (a regex for pkill -f; its first letter in brackets so that the shell running pkill does not
  // match itself).
  static void kill_when(const fs::path& dir, int files, const std::string& pattern,
                        const std::string& pkill_flags = "") {
    for (int i = 0; i < 1200 && grasp_files(dir) < files; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string out;
    run_command("pkill -9 " + pkill_flags + " -f '" + pattern + "'; true", &out);
  }
  static fs::path root_, reference_;
};

fs::path DatasetRunTest::root_, DatasetRunTest::reference_;

TEST_F(DatasetRunTest, ShardsAsSeparateProcessesKilledAndRerunGiveTheSameBytes) {
  const fs::path dir = planned("shards");
  ASSERT_EQ(cli("dataset run " + q(dir) + " --shard 0/3 --threads 1"), 0);
  // Shard 1 is killed with SIGKILL once it finished a unit (so in the middle of the next), then rerun.
  std::string out;
  run_command(
      "(" + graspqp::test::cli_path() + " dataset run " + q(dir) + " --shard 1/3 --threads 1 > /dev/null 2>&1 &)",
      &out);
  kill_when(dir, grasp_files(dir) + 1, "[d]ataset run " + dir.string() + " --shard 1/3");
  json s = status(dir);
  EXPECT_FALSE(s["complete"].get<bool>());
  ASSERT_EQ(cli("dataset run " + q(dir) + " --shard 1/3 --threads 2"), 0);
  // Shard 2 from Slurm's array variables, as sbatch --array sets them.
  ASSERT_EQ(run_command("SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3 " +
                            graspqp::test::cli_path() + " dataset run " + q(dir) + " --threads 1",
                        &out),
            0);
  EXPECT_NE(out.find("shard 2/3 (SLURM_ARRAY_TASK_ID)"), std::string::npos) << out;
  expect_same_files(dir);
  s = status(dir);
  EXPECT_TRUE(s["complete"].get<bool>());
  EXPECT_EQ(s["done"], 8);
  EXPECT_EQ(s["grasps"], 24);
  // A rerun of a finished shard does nothing but remove what a process killed while writing a finished
  // unit's record left behind.
  const fs::path stale = dir / ".records/allegro/full/.mug.json.tmp.1.0123456789abcdef";
  std::ofstream(stale) << "{";
  ASSERT_EQ(cli("dataset run " + q(dir), &out), 0);
  EXPECT_NE(out.find("0 units generated"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(stale));
}

TEST_F(DatasetRunTest, MpiRanksKilledAndRerunGiveTheSameBytes) {
  const fs::path dir = planned("mpi");
  const std::string mpirun = "mpirun --allow-run-as-root --oversubscribe -np 3 " + graspqp::test::cli_path() +
                             " dataset run " + q(dir) + " --mpi --threads 1";
  std::string out;
  run_command("(" + mpirun + " > /dev/null 2>&1 &)", &out);
  // One rank dies (SIGKILL) after the first unit; OpenMPI then ends the job; the rerun does the rest.
  kill_when(dir, 1, "[g]raspqp dataset run " + dir.string() + " --mpi", "-n");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  run_command("pkill -9 -f '[d]ataset run " + dir.string() + " --mpi'; true", &out);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(run_command(mpirun, &out), 0) << out;
  EXPECT_NE(out.find("mpi 0/1"), std::string::npos) << out;
  expect_same_files(dir);
  EXPECT_TRUE(status(dir)["complete"].get<bool>());
}

TEST_F(DatasetRunTest, AMissingMeshFailsItsUnitsOnly) {
  json spec = json::parse(graspqp::test::read_text(root_ / "spec.json"));
  spec["objects"].push_back((root_ / "gone.obj").string());
  spec["hands"] = {"allegro"};
  std::ofstream(root_ / "missing.json") << spec.dump(1);
  const fs::path dir = root_ / "missing";
  ASSERT_EQ(cli("dataset plan --spec " + q(root_ / "missing.json") + " --out " + q(dir)), 0);
  std::string out, err;
  EXPECT_EQ(cli("dataset run " + q(dir) + " --threads 2", &out, &err), 1);
  EXPECT_NE(err.find("allegro/full/gone: " + (root_ / "gone.obj").string()), std::string::npos) << err;
  const json s = status(dir);
  EXPECT_EQ(s["done"], 4);
  EXPECT_EQ(s["failed"], 1);
  EXPECT_EQ(s["failures"][0]["id"], "allegro/full/gone");
  EXPECT_NE(s["failures"][0]["error"].get<std::string>().find("gone.obj"), std::string::npos);
  for (const std::string obj : {"mug", "apple", "banana", "cracker_box"})
    EXPECT_EQ(graspqp::sha256_file(dir / "allegro" / "full" / (obj + ".h5")),
              graspqp::sha256_file(reference_ / "allegro" / "full" / (obj + ".h5")));
}

TEST_F(DatasetRunTest, ReportAndIndexOfAFinishedDataset) {
  std::string out;
  ASSERT_EQ(cli("dataset report " + q(reference_) + " --no-plots", &out), 0) << out;
  const json r = graspqp::read_json_file(reference_ / "report.json");
  EXPECT_EQ(r["files"], 8);
  EXPECT_EQ(r["grasps"], 24);
  ASSERT_EQ(r["groups"].size(), 2u);
  EXPECT_GT(r["groups"][0]["joint_entropy_mean"].get<double>(), 0);
  const std::string index = graspqp::test::read_text(reference_ / "index.csv");
  EXPECT_EQ(index.rfind("file,hand,grasp_type,object,scale,grasps,valid,sha256\n", 0), 0u);
  EXPECT_NE(index.find("allegro/full/mug.h5,allegro,full,mug,1.0,3,-1," +
                       graspqp::sha256_file(reference_ / "allegro" / "full" / "mug.h5")),
            std::string::npos)
      << index;
  EXPECT_NE(graspqp::test::read_text(reference_ / "report.md").find("| allegro | full | 4 | 12 |"), std::string::npos);
}

TEST_F(DatasetRunTest, BadInvocationsAndAReadOnlyFolderAreClearErrors) {
  std::string out, err;
  EXPECT_NE(cli("dataset run " + q(root_ / "nothing"), &out, &err), 0);
  EXPECT_NE(err.find("manifest.json: not found"), std::string::npos) << err;
  EXPECT_NE(cli("dataset run " + q(reference_) + " --shard 3/3", &out, &err), 0);
  EXPECT_NE(err.find("--shard: '3/3'"), std::string::npos) << err;
  EXPECT_NE(cli("dataset plan --spec " + q(root_ / "spec.json") + " --out /sys/graspqp_dataset", &out, &err), 0);
  EXPECT_NE(err.find("/sys/graspqp_dataset"), std::string::npos) << err;
  // A read-only folder: a tmpfs remounted read-only (needs root; skipped where mounting is not allowed).
  const fs::path ro = root_ / "readonly";
  fs::create_directories(ro);
  if (::mount("tmpfs", ro.c_str(), "tmpfs", 0, "size=16m") != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
  ASSERT_EQ(cli("dataset plan --spec " + q(root_ / "spec.json") + " --out " + q(ro)), 0);
  ASSERT_EQ(cli("dataset run " + q(ro) + " --shard 0/4 --threads 2"), 0);
  std::map<std::string, std::string> before;
  for (const auto& e : fs::recursive_directory_iterator(ro))
    if (e.is_regular_file()) before[e.path().string()] = graspqp::sha256_file(e.path());
  ASSERT_EQ(::mount("tmpfs", ro.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=16m"), 0);
  const int rc = cli("dataset run " + q(ro) + " --threads 2", &out, &err);
  ::mount("tmpfs", ro.c_str(), "tmpfs", MS_REMOUNT, "size=16m");
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find(ro.string() + ": cannot write into the dataset folder"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;  // one line
  for (const auto& [path, sha] : before) EXPECT_EQ(graspqp::sha256_file(path), sha) << path;
  ::umount(ro.c_str());
}

}  // namespace
