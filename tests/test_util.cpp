#include "test_util.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace graspqp::test {

std::filesystem::path assets_dir() { return GRASPQP_ASSETS_DIR; }
std::filesystem::path hand_dir(const std::string& name) { return assets_dir() / "hands" / name; }
std::filesystem::path object_path(const std::string& rel) { return assets_dir() / "objects" / rel; }
std::string cli_path() { return GRASPQP_CLI_PATH; }

int run_command(const std::string& cmd, std::string* out, std::string* err) {
  std::string full = cmd;
  std::filesystem::path err_file;
  if (err) {
    err_file = std::filesystem::temp_directory_path() /
               ("graspqp_test_err_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()));
    full += " 2>" + err_file.string();
  }
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  std::string result;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.append(buf.data(), n);
  int status = ::pclose(pipe);
  if (out) *out = result;
  if (err) {
    *err = read_text(err_file);
    std::filesystem::remove(err_file);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace graspqp::test
