#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace graspqp {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Random suffix so that concurrent writers (threads or processes sharing a pid namespace) never
// pick the same temporary name.
std::string random_hex_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// fsync a path opened read-only: enough on Linux for both regular files and directories.
void fsync_path(const fs::path& p, int open_flags, const fs::path& dst, const char* what) {
  const int fd = ::open(p.c_str(), open_flags | O_CLOEXEC);
  if (fd < 0) throw Error(dst.string() + ": cannot open " + what + " for fsync: " + errno_text(errno));
  int rc;
  do rc = ::fsync(fd);
  while (rc != 0 && errno == EINTR);
  const int saved = errno;
  ::close(fd);
  // Some file systems (e.g. certain FUSE/network mounts) reject fsync on directories; the data
  // itself is already durable, so only fail for the file.
  if (rc != 0 && !(open_flags & O_DIRECTORY && (saved == EINVAL || saved == ENOTSUP)))
    throw Error(dst.string() + ": fsync of " + what + " failed: " + errno_text(saved));
}

}  // namespace

void write_file_atomically(const fs::path& dst, const std::function<void(const fs::path& tmp)>& writer) {
  if (dst.filename().empty()) throw Error(dst.string() + ": not a file path");
  const fs::path dir = dst.has_parent_path() ? dst.parent_path() : fs::path(".");

  std::error_code ec;
  const auto dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status)) throw Error(dst.string() + ": output directory " + dir.string() + " does not exist");
  if (!fs::is_directory(dir_status)) throw Error(dst.string() + ": " + dir.string() + " is not a directory");

  // Reserve the temporary name (O_EXCL) before handing it to the writer; this is also where an
  // unwritable folder is detected, with the OS's reason.
  fs::path tmp;
  for (int attempt = 0;; ++attempt) {
    // Built with += rather than "." + ...: GCC 12 emits a false -Wrestrict warning for the latter.
    std::string name = ".";
    name += dst.filename().string();
    name += ".tmp.";
    name += std::to_string(::getpid());
    name += ".";
    name += random_hex_suffix();
    tmp = dir / name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno == EEXIST && attempt < 16) continue;
    throw Error(dst.string() + ": cannot create a file in directory " + dir.string() + ": " + errno_text(errno));
  }

  try {
    writer(tmp);
    fsync_path(tmp, O_RDONLY, dst, "temporary file");
    if (::rename(tmp.c_str(), dst.c_str()) != 0)
      throw Error(dst.string() + ": cannot rename temporary file into place: " + errno_text(errno));
  } catch (...) {
    fs::remove(tmp, ec);  // best effort; the original exception is what matters
    throw;
  }
  // The rename is only durable once the directory entry is on disk.
  fsync_path(dir, O_RDONLY | O_DIRECTORY, dst, "directory");
}

void write_text_atomically(const fs::path& dst, const std::string& content) {
  write_file_atomically(dst, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(dst.string() + ": cannot open temporary file " + tmp.string() + " for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw Error(dst.string() + ": write failed (disk full?)");
  });
}

}  // namespace graspqp
