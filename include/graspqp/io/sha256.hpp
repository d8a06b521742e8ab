#pragma once
// SHA-256 digests (lowercase hex), used to tie a grasp file to the exact object mesh it was made for.
#include <filesystem>
#include <string>

namespace graspqp {

// Hashes the file's bytes; throws graspqp::Error("<path>: ...") if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
std::string sha256_string(const std::string& data);

}  // namespace graspqp
