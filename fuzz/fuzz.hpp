#pragma once
// Shared pieces of the libFuzzer targets (docs/hardening.md). A target is one small file defining
// LLVMFuzzerTestOneInput with GRASPQP_FUZZ_TARGET; it runs one reader of outside data on the input.
// The reader may accept the input or refuse it with graspqp::Error carrying a one-line message (the
// project's rule for bad input); anything else (another exception, a multi-line or empty message, a
// sanitizer report, a crash) is a bug, and libFuzzer keeps the input.
#include <graspqp/error.hpp>

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

namespace graspqp::fuzz {

[[noreturn]] inline void bug(const std::string& what) {
  std::fprintf(stderr, "graspqp fuzz: BUG: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Runs fn(): returns true if it accepted the input, false if it refused it properly.
template <class Fn>
bool accepts(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const Error& e) {
    const std::string m = e.what();
    if (m.empty()) bug("graspqp::Error with an empty message");
    if (m.find('\n') != std::string::npos || m.find('\r') != std::string::npos)
      bug("graspqp::Error message is not one line: " + m);
    return false;
  } catch (const std::exception& e) {
    bug(std::string("uncaught ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    bug("uncaught non-standard exception");
  }
}

// A private folder for the input files of this process (in /dev/shm when it exists: no disk writes),
// removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                                               : std::filesystem::temp_directory_path();
    auto d = base / ("graspqp_fuzz_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d, ec);
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code e;
      std::filesystem::remove_all(scratch_dir(), e);
    });
    return d;
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) bug("cannot write the scratch file " + path.string());
}

// The input as a file named `name` in the scratch folder.
inline std::filesystem::path input_file(const std::string& name, const uint8_t* data, size_t size) {
  const auto path = scratch_dir() / name;
  write_bytes(path, data, size);
  return path;
}

}  // namespace graspqp::fuzz

// Defines the entry point libFuzzer (and the corpus replay driver, fuzz/replay_main.cpp) calls.
#define GRASPQP_FUZZ_TARGET extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
