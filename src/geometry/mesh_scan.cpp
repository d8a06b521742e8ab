#include "geometry/mesh_scan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

namespace graspqp::mesh_scan {

namespace fs = std::filesystem;

namespace {

constexpr long long kSaturate = 1ll << 62;

long long add(long long a, long long b) { return std::min(kSaturate, a + b); }

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Calls on_line(first token, number of tokens) for every line, reading the file in chunks; only the first
// 15 characters of the first token are kept.
template <class OnLine>
void for_each_line(std::ifstream& in, OnLine&& on_line) {
  std::array<char, 1 << 16> buf{};
  std::string first;
  long long tokens = 0;
  bool in_token = false;
  auto end_line = [&] {
    if (tokens > 0) on_line(first, tokens);
    first.clear();
    tokens = 0;
    in_token = false;
  };
  while (in) {
    in.read(buf.data(), buf.size());
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        end_line();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        in_token = false;
      } else {
        if (!in_token) tokens = add(tokens, 1), in_token = true;
        if (tokens == 1 && first.size() < 15) first += c;
      }
    }
  }
  end_line();
}

DeclaredSize scan_obj(std::ifstream& in) {
  DeclaredSize s{0, 0};
  for_each_line(in, [&](const std::string& first, long long tokens) {
    if (first == "v") s.vertices = add(s.vertices, 1);
    else if (first == "f" && tokens >= 4) s.triangles = add(s.triangles, tokens - 3);
  });
  return s;
}

DeclaredSize scan_stl(std::ifstream& in, std::uintmax_t file_size) {
  char head[84] = {};
  in.read(head, sizeof head);
  const auto got = in.gcount();
  std::uint32_t count = 0;
  if (got == 84) std::memcpy(&count, head + 80, 4);  // little-endian on every platform graspqp builds on
  const bool binary_size = got == 84 && file_size == 84 + 50ull * count;
  const bool ascii = !binary_size && got >= 5 && std::string(head, 5) == "solid";
  if (!ascii) return {got == 84 ? static_cast<long long>(count) : 0, got == 84 ? 3ll * count : 0};
  in.clear();
  in.seekg(0);
  DeclaredSize s{0, 0};
  for_each_line(in, [&](const std::string& first, long long) {
    if (first == "facet") s.triangles = add(s.triangles, 1);
    else if (first == "vertex") s.vertices = add(s.vertices, 1);
  });
  return s;
}

long long parse_count(const std::string& text) {
  long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return kSaturate;  // not a count: let the importer refuse it, assume the worst
    v = std::min(kSaturate, v * 10 + (c - '0'));
  }
  return v;
}

DeclaredSize scan_ply(std::ifstream& in) {
  DeclaredSize s{0, 0};
  std::string line;
  // The header is text up to "end_header"; 1 MiB of header without it is no PLY file (assimp refuses it).
  for (std::size_t read = 0; read < (1u << 20) && std::getline(in, line); read += line.size() + 1) {
    if (line.size() > 4096) break;
    char kind[64] = {}, name[64] = {}, count[64] = {};
    if (std::sscanf(line.c_str(), "%63s %63s %63s", kind, name, count) == 3 && std::strcmp(kind, "element") == 0) {
      if (std::strcmp(name, "vertex") == 0) s.vertices = add(s.vertices, parse_count(count));
      else if (std::strcmp(name, "face") == 0) s.triangles = add(s.triangles, parse_count(count));
    }
    if (line.rfind("end_header", 0) == 0) break;
  }
  return s;
}

}  // namespace

DeclaredSize scan(const fs::path& path) {
  const std::string ext = lower_extension(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  if (ext == ".obj") return scan_obj(in);
  if (ext == ".stl") {
    std::error_code ec;
    return scan_stl(in, fs::file_size(path, ec));
  }
  if (ext == ".ply") return scan_ply(in);
  return {};
}

}  // namespace graspqp::mesh_scan
