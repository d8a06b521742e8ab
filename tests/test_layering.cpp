// House rules, checked by the machine: every include points down the module order written in the README
// and docs/architecture.md, the library never includes the CLI or the Python bindings, and files stay small enough to
// read in one sitting (600 lines; a CLI verb file 200 lines, since it only parses and prints); every C++
// source is formatted by the repository's .clang-format (clang-format 14).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The C++ sources of the repository (its own, not vendored inputs under fuzz/upstream).
std::vector<fs::path> cpp_sources(const fs::path& root) {
  std::vector<fs::path> files;
  for (const char* top : {"include", "src", "apps", "tests", "bench", "python", "fuzz"})
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      if (e.path().string().find("/fuzz/upstream/") != std::string::npos) continue;
      files.push_back(e.path());
    }
  std::sort(files.begin(), files.end());
  return files;
}

// The pipeline, bottom first. "base" is the top-level headers (error.hpp, version.hpp) every module may use.
const std::vector<std::string> kModuleOrder = {"base",    "io",  "geometry", "hand",   "object", "energy", "optim",
                                               "metrics", "sim", "dataset",  "report", "view",   "onboard"};

fs::path repo_root() { return fs::path(GRASPQP_ASSETS_DIR).parent_path(); }

int rank_of(const std::string& module) {
  const auto it = std::find(kModuleOrder.begin(), kModuleOrder.end(), module);
  return it == kModuleOrder.end() ? -1 : static_cast<int>(it - kModuleOrder.begin());
}

// Module of an included path: "graspqp/energy/x.hpp" or "energy/x.hpp" -> energy; "graspqp/error.hpp" -> base;
// "internal.hpp" (a private header beside the file) -> the including module; "" for system headers.
std::string included_module(const std::string& include, bool quoted, const std::string& own_module) {
  std::string p = include;
  if (p.rfind("graspqp/", 0) == 0)
    p = p.substr(8);
  else if (!quoted)
    return "";  // <Eigen/Core>, <mujoco/mujoco.h>, ...
  const auto slash = p.find('/');
  if (slash == std::string::npos) return quoted ? own_module : "base";
  return p.substr(0, slash);
}

struct Include {
  std::string file;
  int line;
  std::string module, target;
};

// Every graspqp include of one file: (file module, included module).
std::vector<Include> includes_of(const fs::path& file, const std::string& module) {
  static const std::regex re(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> out;
  std::ifstream in(file);
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    std::smatch m;
    if (!std::regex_search(text, m, re)) continue;
    const std::string target = included_module(m[2], m[1] == "\"", module);
    if (!target.empty()) out.push_back({file.string(), line, module, target});
  }
  return out;
}

// Problems with one include: an unknown module, or one later in the order.
std::string check_include(const Include& inc) {
  const int from = rank_of(inc.module), to = rank_of(inc.target);
  const std::string where = inc.file + ":" + std::to_string(inc.line) + ": ";
  if (from < 0) return where + "module '" + inc.module + "' is not in the module order";
  if (to < 0) return where + "includes '" + inc.target + "', which is not a module of the order";
  if (to > from) return where + inc.module + " includes " + inc.target + ", which comes later in the order";
  return "";
}

// Library files with their module: include/graspqp/<module>/..., src/<module>/..., top-level headers = base.
std::vector<std::pair<fs::path, std::string>> library_files() {
  std::vector<std::pair<fs::path, std::string>> files;
  for (const char* top : {"include/graspqp", "src"}) {
    const fs::path dir = repo_root() / top;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const fs::path rel = fs::relative(e.path(), dir);
      const std::string module = std::distance(rel.begin(), rel.end()) > 1 ? rel.begin()->string() : "base";
      files.emplace_back(e.path(), module);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Layering, CheckerFlagsUpwardAndUnknownIncludes) {
  EXPECT_EQ(check_include({"a.cpp", 1, "energy", "hand"}), "");
  EXPECT_EQ(check_include({"a.cpp", 1, "energy", "base"}), "");
  EXPECT_NE(check_include({"a.cpp", 1, "hand", "energy"}).find("comes later"), std::string::npos);
  EXPECT_NE(check_include({"a.cpp", 1, "hand", "apps"}).find("not a module"), std::string::npos);
  EXPECT_NE(check_include({"a.cpp", 1, "misc", "io"}).find("not in the module order"), std::string::npos);
  EXPECT_EQ(included_module("graspqp/sim/evaluate.hpp", false, "report"), "sim");
  EXPECT_EQ(included_module("graspqp/error.hpp", false, "sim"), "base");
  EXPECT_EQ(included_module("internal.hpp", true, "sim"), "sim");
  EXPECT_EQ(included_module("io/hdf5.hpp", true, "report"), "io");
  EXPECT_EQ(included_module("Eigen/Core", false, "sim"), "");
}

TEST(Layering, EveryIncludePointsDownTheModuleOrder) {
  std::vector<std::string> problems;
  int checked = 0;
  for (const auto& [file, module] : library_files())
    for (const auto& inc : includes_of(file, module)) {
      ++checked;
      if (auto p = check_include(inc); !p.empty()) problems.push_back(p);
    }
  EXPECT_GT(checked, 100);
  for (const auto& p : problems) ADD_FAILURE() << p;
}

TEST(Layering, EveryModuleFolderIsInTheOrder) {
  for (const char* top : {"include/graspqp", "src"})
    for (const auto& e : fs::directory_iterator(repo_root() / top))
      if (e.is_directory()) EXPECT_GE(rank_of(e.path().filename().string()), 1) << e.path();
}

TEST(Layering, TheLibraryNeverIncludesTheCliOrTheBindings) {
  for (const auto& [file, module] : library_files()) {
    std::ifstream in(file);
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      EXPECT_EQ(text.find("#include \"commands.hpp\""), std::string::npos) << file << ":" << line;
      EXPECT_EQ(text.find("#include \"bindings.hpp\""), std::string::npos) << file << ":" << line;
      EXPECT_EQ(text.find("#include <pybind11/"), std::string::npos) << file << ":" << line;
    }
  }
}

// The Python bindings (python/src) are a front end like apps/: they include the library and their own
// headers, never the CLI's.
TEST(Layering, TheBindingsIncludeTheLibraryNotTheCli) {
  int files = 0;
  for (const auto& e : fs::directory_iterator(repo_root() / "python" / "src")) {
    ++files;
    std::ifstream in(e.path());
    std::string text;
    for (int line = 1; std::getline(in, text); ++line)
      for (const char* cli : {"\"commands.hpp\"", "\"parse.hpp\"", "apps/"})
        EXPECT_FALSE(text.find("#include") != std::string::npos && text.find(cli) != std::string::npos)
            << e.path() << ":" << line;
  }
  EXPECT_GT(files, 3);
}

// The README's layout row and docs/architecture.md state the same order as this test.
TEST(Layering, TheDocumentedOrderIsTheCheckedOrder) {
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::vector<std::string> modules(kModuleOrder.begin() + 1, kModuleOrder.end());
  auto chain_in = [&](const std::string& text, const std::string& marker) {
    const auto at = text.find(marker);
    if (at == std::string::npos) return std::vector<std::string>{};
    const std::string line = text.substr(at, text.find('\n', at) - at);
    std::vector<std::string> found;
    static const std::regex folder("`([a-z_]+)/`");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), folder); it != std::sregex_iterator(); ++it)
      found.push_back((*it)[1]);
    return found;
  };
  EXPECT_EQ(chain_in(read(repo_root() / "README.md"), "the library, in pipeline order:"), modules);
  EXPECT_EQ(chain_in(read(repo_root() / "docs" / "architecture.md"), "Module order:"), modules);
}

TEST(HouseRules, FilesStaySmall) {
  for (const fs::path& file : cpp_sources(repo_root())) {
    std::ifstream in(file);
    int lines = 0;
    for (std::string s; std::getline(in, s);) ++lines;
    const bool verb = file.parent_path().filename() == "apps" && file.filename().string().rfind("cmd_", 0) == 0;
    EXPECT_LE(lines, verb ? 200 : 600) << file << " has " << lines << " lines";
  }
}

// `make format` applies the style; this names every file that drifted from it.
TEST(HouseRules, SourcesAreClangFormatted) {
  const std::vector<fs::path> files = cpp_sources(repo_root());
  ASSERT_GT(files.size(), 100u);
  std::string command = "clang-format-14 --dry-run --Werror --style=file";
  for (const fs::path& f : files) command += " '" + f.string() + "'";
  command += " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  ASSERT_NE(WEXITSTATUS(status), 127) << "clang-format-14 is missing (scripts/install_deps.sh installs it)";
  std::set<std::string> drifted;
  static const std::regex warning(R"(^(/[^:]+):\d+:\d+: (warning|error): code should be clang-formatted)");
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (std::smatch m; std::regex_search(line, m, warning)) drifted.insert(m[1]);
  std::string names;
  for (const auto& d : drifted) names += "\n  " + d;
  EXPECT_TRUE(drifted.empty()) << drifted.size() << " files differ from .clang-format (run `make format`):" << names;
  EXPECT_EQ(status, 0) << output.substr(0, 2000);
}

}  // namespace
