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
}  // namespace graspqp::test
