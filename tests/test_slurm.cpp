// A real Slurm: a private one-node cluster (scripts/slurm_local.sh) runs the shipped job-array example;
// its files equal a single-process run byte for byte. The daemons are stopped whatever happens.
#include <graspqp/io/sha256.hpp>

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "test_util.hpp"

namespace fs = std::filesystem;
using graspqp::test::run_command;

namespace {

struct LocalSlurm {
  fs::path dir, script;
  bool started = false;
  ~LocalSlurm() {
    std::string out;
    if (started) run_command("bash '" + script.string() + "' stop '" + dir.string() + "'", &out);
  }
};

TEST(Slurm, JobArrayExampleGivesTheSameBytesAsOneProcess) {
  if (::geteuid() != 0) GTEST_SKIP() << "a private Slurm needs root";
  const fs::path source = graspqp::test::assets_dir().parent_path();
  const fs::path root = fs::path(testing::TempDir()) / ("slurm_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const nlohmann::json spec = {{"hands", {"allegro"}},
                               {"objects",
                                {graspqp::test::object_path("misc/apple.ply").string(),
                                 graspqp::test::object_path("ycb/banana/textured.obj").string(),
                                 graspqp::test::object_path("ycb/mug/textured.obj").string()}},
                               {"grasps", 2},
                               {"contacts", 8},
                               {"iters", 30},
                               {"surface-samples", 500},
                               {"seed", 4}};
  std::ofstream(root / "spec.json") << spec.dump();
  const std::string cli = graspqp::test::cli_path();
  std::string out, err;
  for (const char* name : {"array", "single"})
    ASSERT_EQ(run_command(cli + " dataset plan --spec '" + (root / "spec.json").string() + "' --out '" +
                              (root / name).string() + "'",
                          &out),
              0);
  ASSERT_EQ(run_command(cli + " dataset run '" + (root / "single").string() + "' --shard 0/1", &out), 0);

  LocalSlurm slurm{root / "cluster", source / "scripts" / "slurm_local.sh"};
  slurm.started = true;
  ASSERT_EQ(run_command("bash '" + slurm.script.string() + "' start '" + slurm.dir.string() + "'", &out, &err), 0)
      << err;
  const std::string env = "SLURM_CONF='" + (slurm.dir / "slurm.conf").string() + "' GRASPQP='" + cli + "' ";
  // --wait: sbatch returns when the whole array has finished, with the array's exit status.
  ASSERT_EQ(run_command(env + "sbatch --wait --chdir='" + root.string() + "' --array=0-2%2 '" +
                            (source / "examples" / "slurm" / "dataset_array.sbatch").string() + "' '" +
                            (root / "array").string() + "'",
                        &out, &err),
            0)
      << out << err;
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root / "single")) {
    if (e.path().extension() != ".h5") continue;
    ++files;
    const fs::path other = root / "array" / fs::relative(e.path(), root / "single");
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_EQ(graspqp::sha256_file(e.path()), graspqp::sha256_file(other)) << other;
  }
  EXPECT_EQ(files, 3);
  ASSERT_EQ(run_command(cli + " dataset status '" + (root / "array").string() + "' --json", &out), 0);
  EXPECT_NE(out.find("\"complete\": true"), std::string::npos) << out;
  // Every array task ran its own shard, as the logs say.
  int shards = 0;
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().extension() == ".log")
      shards += graspqp::test::read_text(e.path()).find("(SLURM_ARRAY_TASK_ID)") != std::string::npos;
  EXPECT_EQ(shards, 3);
  fs::remove_all(root / "array");
}

}  // namespace
