// `graspqp eval` is resumable and safe on failing disks: kill -9 mid-run leaves no partial file and a rerun
// ends with the outputs of an uninterrupted run (eval files byte for byte; summaries and reports but for
// measured times); a full disk (a small tmpfs) and a read-only output folder fail with one clear line and
// lose nothing already written.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/report/eval_file.hpp>
#include <graspqp/report/eval_job.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "test_util.hpp"

namespace graspqp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_box(const fs::path& path, double sx, double sy, double sz) {
  std::ofstream o(path);
  for (int x : {-1, 1})
    for (int y : {-1, 1})
      for (int z : {-1, 1}) o << "v " << x * sx / 2 << " " << y * sy / 2 << " " << z * sz / 2 << "\n";
  o << "f 1 3 4 2\nf 5 6 8 7\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf 2 4 8 6\n";
}

// Three grasp files (robotiq2 on two boxes and the apple), made once per test process.
class EvalResume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("graspqp_test_eval_resume_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "objects");
    write_box(root_ / "objects" / "box_a.obj", 0.05, 0.05, 0.08);
    write_box(root_ / "objects" / "box_b.obj", 0.04, 0.06, 0.05);
    fs::copy_file(test::object_path("misc/apple.ply"), root_ / "objects" / "apple.ply");
    GenerateOptions g;
    g.hand = "robotiq2";
    g.grasps = 5;
    g.contacts = 4;
    g.sampler.iterations = 60;
    g.out = root_ / "grasps";
    generate_dataset(g, discover_objects(root_ / "objects"));
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  // The eval command line of these tests (no convex-parts cache: its provenance is part of the summaries).
  static std::string eval_command(const fs::path& out) {
    return test::cli_path() + " eval --grasps " + (root_ / "grasps").string() + " --out " + out.string() +
           " --no-plots --no-cache --threads 1 --set settle_time=0.1 --set pull_duration=0.3 --set pull_gap=0.1";
  }
  static int run_eval(const fs::path& out, std::string* err = nullptr) {
    std::string o, e;
    const int rc = test::run_command(eval_command(out), &o, &e);
    if (err) *err = e;
    return rc;
  }
  // An uninterrupted run, moved aside to <root>/<name> so that a later run can use the same path.
  static fs::path reference(const fs::path& out, const std::string& name) {
    EXPECT_EQ(run_eval(out), 0);
    const fs::path ref = root_ / name;
    fs::rename(out, ref);
    return ref;
  }

  static fs::path root_;
};
fs::path EvalResume::root_;

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir));
  std::sort(out.begin(), out.end());
  return out;
}

// A JSON output without its measured times (keys holding seconds or rates).
json untimed(json j) {
  if (j.is_object()) {
    json out = json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key().find("seconds") == std::string::npos && it.key().find("per_second") == std::string::npos)
        out[it.key()] = untimed(it.value());
    return out;
  }
  if (j.is_array())
    for (auto& e : j) e = untimed(e);
  return j;
}

std::string untimed_markdown(const std::string& md) {
  return std::regex_replace(std::regex_replace(md, std::regex(R"([0-9.]+ grasps/s)"), "T grasps/s"),
                            std::regex(R"([0-9]+\.[0-9]+ s wall)"), "T s wall");
}

// Every output of `out` equals that of `ref`: eval files byte for byte, the rest but for measured times.
void expect_same_outputs(const fs::path& out, const fs::path& ref) {
  ASSERT_EQ(files_under(out), files_under(ref));
  for (const auto& rel : files_under(ref)) {
    const std::string a = test::read_text(out / rel), b = test::read_text(ref / rel);
    if (rel.extension() == ".h5")
      EXPECT_TRUE(a == b) << rel << " differs";
    else if (rel.extension() == ".json")
      EXPECT_EQ(untimed(json::parse(a)), untimed(json::parse(b))) << rel;
    else
      EXPECT_EQ(untimed_markdown(a), untimed_markdown(b)) << rel;
  }
}

TEST_F(EvalResume, KillNineMidRunLeavesNoPartialFileAndARerunEqualsAnUninterruptedRun) {
  const fs::path out = root_ / "killed";
  const fs::path ref = reference(out, "killed_reference");
  ASSERT_EQ(files_under(ref).size(), 3u * 2 + 2);  // per input .eval.h5 and .eval.json; report.json, report.md

  // Start a run and kill it with SIGKILL as soon as its first input is finished.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + eval_command(out) + " > /dev/null 2>&1").c_str(), nullptr);
    ::_exit(127);
  }
  auto finished_inputs = [&] {
    int n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(out, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      n += it->path().string().size() > 10 && it->path().string().ends_with(".eval.json");
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (finished_inputs() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";
  ASSERT_FALSE(fs::exists(out / "report.json")) << "killed too late to be mid-run";

  // No partial file: every file there is a complete output (nothing hidden, no temporary).
  const auto left = files_under(out);
  EXPECT_GE(left.size(), 2u);
  EXPECT_LT(left.size(), 3u * 2);
  for (const auto& rel : left) {
    EXPECT_NE(rel.filename().string()[0], '.') << rel;
    if (rel.extension() == ".h5")
      EXPECT_EQ(read_eval_success(out / rel).size(), 5u) << rel;
    else
      EXPECT_NO_THROW(read_json_file(out / rel)) << rel;
  }
  const std::string first_summary = test::read_text(out / left[1]);

  // The rerun finishes; the finished input was not evaluated again (its summary, times included, is kept).
  std::string err;
  ASSERT_EQ(run_eval(out, &err), 0) << err;
  EXPECT_EQ(test::read_text(out / left[1]), first_summary);
  expect_same_outputs(out, ref);
}

TEST_F(EvalResume, ARerunReusesFinishedInputsAndRedoesChangedOnes) {
  const fs::path out = root_ / "rerun";
  EvalJobOptions job;
  job.grasps = root_ / "grasps";
  job.out = out;
  job.plots = false;
  job.use_cache = false;
  job.eval.threads = 1;
  job.eval.protocol = load_protocol("graspqp", "", {"settle_time=0.1", "pull_duration=0.3", "pull_gap=0.1"});
  int simulated = 0, done = 0;
  EvalJobCallbacks cb;
  cb.progress = [&](size_t, size_t, const std::string&, int d, int total) { simulated += d == total; };
  cb.file_done = [&](const json&) { ++done; };
  const json first = run_eval_job(job, cb);
  EXPECT_EQ(simulated, 3);
  EXPECT_EQ(done, 3);

  simulated = done = 0;
  const json second = run_eval_job(job, cb);
  EXPECT_EQ(simulated, 0);  // all three reused
  EXPECT_EQ(done, 3);
  EXPECT_EQ(untimed(second), untimed(first));

  // A changed protocol, a changed input and a tampered eval file are evaluated again.
  job.eval.protocol.magnitude = 2.0;
  simulated = 0;
  run_eval_job(job, cb);
  EXPECT_EQ(simulated, 3);
  const fs::path grasp_file = root_ / "grasps" / "box_a" / "robotiq2-full-graspqp.h5";
  const fs::path eval_file = out / "box_b" / "robotiq2-full-graspqp.eval.h5";
  fs::copy_file(grasp_file, root_ / "saved.h5", fs::copy_options::overwrite_existing);
  std::ofstream(grasp_file, std::ios::app) << "x";  // other bytes: another SHA-256
  std::ofstream(eval_file, std::ios::app) << "x";
  simulated = 0;
  run_eval_job(job, cb);
  EXPECT_EQ(simulated, 2);
  fs::copy_file(root_ / "saved.h5", grasp_file, fs::copy_options::overwrite_existing);
  EXPECT_EQ(read_eval_success(eval_file).size(), 5u);
}

TEST_F(EvalResume, FullDiskFailsInOneLineAndKeepsWhatWasWritten) {
  // The reference runs where the small disk will be mounted, so that the paths in the outputs agree.
  const fs::path mount_point = root_ / "disk", out = mount_point / "out";
  const fs::path ref = reference(out, "disk_reference");
  // Room for the first input's outputs and half of the second's.
  const auto rels = files_under(ref);
  auto pages = [&](const fs::path& rel) { return (fs::file_size(ref / rel) + 4095) / 4096; };
  const size_t first = pages(rels[0]) + pages(rels[1]);
  const size_t second = pages(rels[2]) + pages(rels[3]);
  test::TmpfsMount disk(mount_point, (first + second / 2) * 4096);
  if (!disk.ok()) GTEST_SKIP() << disk.why();
  std::string err;
  EXPECT_NE(run_eval(out, &err), 0);
  // stderr holds the progress lines, then the error: one line naming the file and the OS's reason.
  const auto at = err.find("graspqp: error: ");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string line = err.substr(at, err.find('\n', at) - at);
  EXPECT_EQ(err.find('\n', at) + 1, err.size()) << err;  // the last line
  EXPECT_NE(line.find("No space left on device"), std::string::npos) << line;
  EXPECT_NE(line.find(out.string()), std::string::npos) << line;
  // The first input's files are complete and the same as an uninterrupted run's; nothing else is there.
  EXPECT_EQ(files_under(out), std::vector<fs::path>(rels.begin(), rels.begin() + 2));
  EXPECT_TRUE(test::read_text(out / rels[0]) == test::read_text(ref / rels[0]));
  const std::string first_summary = test::read_text(out / rels[1]);

  // With room again, the rerun finishes without evaluating the first input again.
  ASSERT_TRUE(disk.remount(64 << 20, false)) << disk.why();
  ASSERT_EQ(run_eval(out, &err), 0) << err;
  EXPECT_EQ(test::read_text(out / rels[1]), first_summary);
  expect_same_outputs(out, ref);
}

TEST_F(EvalResume, ReadOnlyOutputFolderFailsBeforeAnyWorkAndChangesNothing) {
  test::TmpfsMount disk(root_ / "read_only", 64 << 20);
  if (!disk.ok()) GTEST_SKIP() << disk.why();
  const fs::path out = disk.path() / "out";
  ASSERT_EQ(run_eval(out), 0);
  std::map<fs::path, std::string> before;
  for (const auto& rel : files_under(out)) before[rel] = test::read_text(out / rel);
  fs::remove(out / "report.md");  // something left to write
  before.erase("report.md");
  ASSERT_TRUE(disk.remount(64 << 20, true)) << disk.why();
  std::string err;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_NE(run_eval(out, &err), 0);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
  EXPECT_NE(err.find("Read-only file system"), std::string::npos) << err;
  EXPECT_NE(err.find(out.string()), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  for (const auto& [rel, text] : before) EXPECT_TRUE(test::read_text(out / rel) == text) << rel;
  EXPECT_FALSE(fs::exists(out / "report.md"));
}

}  // namespace
}  // namespace graspqp
