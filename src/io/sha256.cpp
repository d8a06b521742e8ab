#include <graspqp/error.hpp>
#include <graspqp/io/sha256.hpp>

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace graspqp {

namespace {

// Incremental SHA-256 over OpenSSL's EVP interface (the low-level SHA256_* calls are deprecated in 3.0).
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw Error("sha256: OpenSSL digest initialisation failed");
  }
  void update(const void* data, size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw Error("sha256: OpenSSL digest update failed");
  }
  std::string hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &len) != 1) throw Error("sha256: OpenSSL digest finalisation failed");
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xf];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

std::string sha256_file(const std::filesystem::path& path) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw Error(path.string() + ": cannot open for hashing: " + std::strerror(errno));
  Sha256 hash;
  std::vector<char> buf(1 << 20);
  size_t n;
  errno = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), file.get())) > 0) hash.update(buf.data(), n);
  if (std::ferror(file.get()))
    throw Error(path.string() + ": read error while hashing" + (errno ? std::string(": ") + std::strerror(errno) : ""));
  return hash.hex_digest();
}

std::string sha256_string(const std::string& data) {
  Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.hex_digest();
}

}  // namespace graspqp
