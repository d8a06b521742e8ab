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
  DeclaredSize s{0, 0, ""};
  for_each_line(in, [&](const std::string& first, long long tokens) {
    if (first == "v")
      s.vertices = add(s.vertices, 1);
    else if (first == "f" && tokens >= 4)
      s.triangles = add(s.triangles, tokens - 3);
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
  if (!ascii) return {got == 84 ? static_cast<long long>(count) : 0, got == 84 ? 3ll * count : 0, ""};
  in.clear();
  in.seekg(0);
  DeclaredSize s{0, 0, ""};
  for_each_line(in, [&](const std::string& first, long long) {
    if (first == "facet")
      s.triangles = add(s.triangles, 1);
    else if (first == "vertex")
      s.vertices = add(s.vertices, 1);
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

// Bytes of a PLY scalar type, 0 for an unknown name.
int ply_type_size(const std::string& t) {
  if (t == "char" || t == "uchar" || t == "int8" || t == "uint8") return 1;
  if (t == "short" || t == "ushort" || t == "int16" || t == "uint16") return 2;
  if (t == "int" || t == "uint" || t == "int32" || t == "uint32" || t == "float" || t == "float32") return 4;
  if (t == "double" || t == "float64") return 8;
  return 0;
}

DeclaredSize scan_ply(std::ifstream& in, std::uintmax_t file_size) {
  DeclaredSize s{0, 0, ""};
  std::string line;
  bool binary = false, ended = false, first = true;
  long long min_bytes = 0, count = 0, row_bytes = 0;  // of the element being declared
  auto close_element = [&] {                          // saturating min_bytes += count * row_bytes
    const long long bytes = row_bytes > 0 && count > kSaturate / row_bytes ? kSaturate : count * row_bytes;
    min_bytes = add(min_bytes, bytes);
  };
  std::uintmax_t header_bytes = 0;
  while (header_bytes < (1u << 20) && std::getline(in, line)) {
    header_bytes += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    char a[64] = {}, b[64] = {}, c[64] = {}, d[64] = {};
    const int n = line.size() > 1000 ? 0 : std::sscanf(line.c_str(), "%63s %63s %63s %63s", a, b, c, d);
    const std::string w = n >= 1 ? a : "";
    if (first) {
      if (w != "ply") return {-1, -1, "not a PLY file (no 'ply' line first)"};
      first = false;
    } else if (w == "format") {
      binary = std::strcmp(b, "ascii") != 0;
      if (binary && std::strcmp(b, "binary_little_endian") != 0 && std::strcmp(b, "binary_big_endian") != 0)
        return {-1, -1, "malformed PLY header (unknown format)"};
    } else if (w == "element") {
      if (n < 3) return {-1, -1, "malformed PLY header (an element without a count)"};
      close_element();
      if (std::strspn(c, "0123456789") != std::strlen(c))
        return {-1, -1, "malformed PLY header (an element count is no number)"};
      count = parse_count(c);
      row_bytes = 0;
      if (std::strcmp(b, "vertex") == 0)
        s.vertices = add(s.vertices, count);
      else if (std::strcmp(b, "face") == 0)
        s.triangles = add(s.triangles, count);
    } else if (w == "property") {
      if (std::strcmp(b, "list") == 0) {
        if (n < 4 || !ply_type_size(c) || !ply_type_size(d))
          return {-1, -1, "malformed PLY header (a list property's types)"};
        row_bytes += ply_type_size(c);  // at least the count of each list
      } else {
        if (n < 3 || !ply_type_size(b)) return {-1, -1, "malformed PLY header (unknown property type)"};
        row_bytes += ply_type_size(b);
      }
    } else if (w == "end_header") {
      ended = true;
      break;
    }
  }
  if (!ended) return {-1, -1, "malformed PLY header (no end_header line)"};
  close_element();
  const long long body = static_cast<long long>(file_size) - static_cast<long long>(header_bytes);
  if (binary && body < min_bytes)
    s.problem = "truncated PLY file (its header declares at least " + std::to_string(min_bytes) +
                " bytes of data, the file has " + std::to_string(std::max(0ll, body)) + ")";
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
  if (ext == ".ply") {
    std::error_code ec;
    return scan_ply(in, fs::file_size(path, ec));
  }
  return {};
}

}  // namespace graspqp::mesh_scan
