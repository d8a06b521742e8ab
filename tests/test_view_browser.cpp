// `graspqp view` in a real browser: Debian's Chromium (headless, fresh profile) opens the written
// pages from file:// URLs through tests/browser/check_page.mjs (playwright-core from web/), which
// checks for console errors, failed or outgoing requests, a non-blank canvas and working toggles.
// Skipped only when Chromium is not installed (scripts/install_deps.sh installs it).
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/view/viewer.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "test_view_fixture.hpp"

namespace graspqp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string chromium_path() {
  if (const char* e = std::getenv("GRASPQP_CHROMIUM"); e && *e) return e;
  return "/usr/bin/chromium";
}

fs::path source_dir() { return assets_dir().parent_path(); }

// Where screenshots are kept for a person (or CI log) to look at: <build>/test_artifacts/view.
fs::path artifacts_dir() {
  const fs::path d = fs::path(cli_path()).parent_path().parent_path() / "test_artifacts" / "view";
  fs::create_directories(d);
  return d;
}

class ViewBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(chromium_path()))
      GTEST_SKIP() << "no Chromium at " << chromium_path() << " (scripts/install_deps.sh installs Debian's chromium)";
    std::string out;
    ASSERT_EQ(run_command("node --version", &out), 0) << "node is missing (scripts/install_deps.sh installs nodejs)";
    ASSERT_TRUE(fs::exists(source_dir() / "web/node_modules/playwright-core"))
        << "web/node_modules is missing: run scripts/install_deps.sh (npm ci in web/)";
    ASSERT_TRUE(fs::exists(view::viewer_bundle_path()))
        << view::viewer_bundle_path() << " is missing: run scripts/install_deps.sh (npm run build in web/)";
  }

  // Runs the page check; returns its JSON report.
  json check_page(const fs::path& html, const std::string& name) {
    const fs::path shot = artifacts_dir() / (name + ".png");
    const std::string cmd = "node " + (source_dir() / "tests/browser/check_page.mjs").string() + " --page " +
                            html.string() + " --screenshot " + shot.string() + " --chromium " + chromium_path();
    std::string out, err;
    const auto t0 = std::chrono::steady_clock::now();
    const int code = run_command(cmd, &out, &err);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "[ browser  ] " << name << ": " << secs << " s, screenshot " << shot << "\n";
    EXPECT_EQ(code, 0) << "check_page failed\nstdout: " << out << "\nstderr: " << err;
    json report;
    try {
      report = json::parse(out.substr(0, out.find('\n')));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "no JSON report from check_page: " << out << "\n" << err;
      return {};
    }
    EXPECT_TRUE(report["ok"].get<bool>()) << report.dump(2);
    EXPECT_TRUE(report["errors"].empty()) << report["errors"].dump(2);
    return report;
  }
};

TEST_F(ViewBrowserTest, GraspGalleryRendersOfflineFromFileUrl) {
  TempDir dir("view_browser");
  const HandModel hand = load_hand("allegro");
  write_grasp_file(dir.path / "grasps.h5", synthetic_grasps(hand, 3, 6));
  const fs::path out = dir.path / "page";
  std::string stdout_text, err;
  ASSERT_EQ(
      run_command(cli_path() + " view --cones --grasps " + (dir.path / "grasps.h5").string() + " --out " + out.string(),
                  &stdout_text, &err),
      0)
      << err;
  const json report = check_page(out / "index.html", "grasps");
  if (report.is_null()) return;
  EXPECT_EQ(report["checks"]["mode"], "grasps");
  EXPECT_EQ(report["checks"]["grasps"], 3);
  EXPECT_EQ(report["checks"]["glb_matches_file"], true);
  EXPECT_GT(report["checks"]["canvas"]["variance"].get<double>(), 20.0);
  EXPECT_EQ(report["checks"]["next_grasp"], 1) << "the arrow key selects the next grasp";
}

TEST_F(ViewBrowserTest, HandPageRendersOfflineFromFileUrl) {
  TempDir dir("view_browser_hand");
  std::string stdout_text, err;
  ASSERT_EQ(run_command(cli_path() + " view --hand allegro --out " + (dir.path / "page").string(), &stdout_text, &err),
            0)
      << err;
  const json report = check_page(dir.path / "page" / "index.html", "hand");
  if (report.is_null()) return;
  EXPECT_EQ(report["checks"]["mode"], "hand");
  EXPECT_EQ(report["checks"]["glb_matches_file"], true);
  EXPECT_GT(report["checks"]["canvas"]["variance"].get<double>(), 20.0);
}

}  // namespace
}  // namespace graspqp::test
