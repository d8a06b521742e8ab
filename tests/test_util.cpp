#include "test_util.hpp"

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

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

TmpfsMount::TmpfsMount(const std::filesystem::path& dir, size_t bytes) : path_(dir) {
  std::filesystem::create_directories(path_);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("graspqp_test", path_.c_str(), "tmpfs", 0, options.c_str()) == 0)
    ok_ = true;
  else
    why_ = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "; needs root with CAP_SYS_ADMIN)";
}

TmpfsMount::~TmpfsMount() {
  if (ok_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool TmpfsMount::remount(size_t bytes, bool read_only) {
  const std::string options = "size=" + std::to_string(bytes);
  if (::mount("graspqp_test", path_.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0), options.c_str()) == 0)
    return true;
  why_ = std::string("cannot remount the tmpfs (") + std::strerror(errno) + ")";
  return false;
}

}  // namespace graspqp::test
