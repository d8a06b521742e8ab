#include "plot_script.hpp"

#include <graspqp/assets.hpp>

#include <cstdio>

namespace fs = std::filesystem;

namespace graspqp::report_detail {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::vector<std::string> run_plot_script(const std::string& script_name, const fs::path& dir, const std::string& who) {
  const fs::path script = data_root() / "scripts" / script_name;  // source tree or install prefix
  const char* python = "/usr/bin/python3";
  if (!fs::exists(script) || !fs::exists(python)) {
    std::fprintf(stderr, "%s: warning: plots skipped (%s not found)\n", who.c_str(),
                 fs::exists(script) ? python : script.c_str());
    return {};
  }
  const std::string cmd = std::string(python) + " " + shell_quote(script.string()) + " " + shell_quote(dir.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::vector<std::string> files;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (!s.empty()) files.push_back(s);
  }
  if (::pclose(pipe) != 0) {
    std::fprintf(stderr, "%s: warning: plots skipped (the plot script failed; is python3-matplotlib installed?)\n",
                 who.c_str());
    return {};
  }
  return files;
}

}  // namespace graspqp::report_detail
