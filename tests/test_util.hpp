#pragma once
// Helpers shared by the tests: paths of bundled assets and of the CLI binary, reading files.
#include <filesystem>
#include <string>

namespace graspqp::test {
std::filesystem::path assets_dir();
std::filesystem::path hand_dir(const std::string& name);
std::filesystem::path object_path(const std::string& rel);  // relative to assets/objects
std::string cli_path();
// Runs a shell command, returns its exit code and captures stdout (stderr to `err` if given).
int run_command(const std::string& cmd, std::string* out, std::string* err = nullptr);
// The whole file as a string (empty if it cannot be read).
std::string read_text(const std::filesystem::path& path);

// A small tmpfs of `bytes` mounted on the folder `dir` (created, and it must be empty), for full-disk and
// read-only tests: a real file system that runs out of space or refuses writes (mount(2) needs root with
// CAP_SYS_ADMIN; elsewhere ok() is false, why() says why, and the tests skip). Unmounted (lazily) and the
// folder removed on destruction.
class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& dir, size_t bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::filesystem::path& path() const { return path_; }
  // New size and read-only flag, keeping the files; false (and why()) on failure.
  bool remount(size_t bytes, bool read_only);

 private:
  std::filesystem::path path_;
  bool ok_ = false;
  std::string why_;
};
}  // namespace graspqp::test
