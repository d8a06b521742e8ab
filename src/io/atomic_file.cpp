#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

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

// The folder's name for a new temporary: ".<dst name>.tmp.<pid>.<random>".
fs::path temporary_name(const fs::path& dst, const fs::path& dir) {
  // Built with += rather than "." + ...: GCC 12 emits a false -Wrestrict warning for the latter.
  std::string name = ".";
  name += dst.filename().string();
  name += ".tmp.";
  name += std::to_string(::getpid());
  name += ".";
  name += random_hex_suffix();
  return dir / name;
}

[[noreturn]] void cannot_create(const fs::path& dst, const fs::path& dir, int err) {
  throw Error(dst.string() + ": cannot create a file in directory " + dir.string() + ": " + errno_text(err));
}

// An unnamed file in `dir` (Linux O_TMPFILE): it has no name until it is complete, so a process killed
// while writing it (even by SIGKILL) leaves nothing behind. -1 where the file system or kernel has none
// (or /proc is not mounted, through which the writer and linkat reach it); a folder that refuses new
// files fails here with the OS's reason.
int open_unnamed(const fs::path& dst, const fs::path& dir) {
#ifdef O_TMPFILE
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL || errno == ENOENT) return -1;
    cannot_create(dst, dir, errno);
  }
  std::error_code ec;
  if (!fs::exists("/proc/self/fd/" + std::to_string(fd), ec)) {
    ::close(fd);
    return -1;
  }
  return fd;
#else
  (void)dst;
  (void)dir;
  return -1;
#endif
}

}  // namespace

void write_file_atomically(const fs::path& dst, const std::function<void(const fs::path& tmp)>& writer) {
  if (dst.filename().empty()) throw Error(dst.string() + ": not a file path");
  const fs::path dir = dst.has_parent_path() ? dst.parent_path() : fs::path(".");

  std::error_code ec;
  const auto dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status)) throw Error(dst.string() + ": output directory " + dir.string() + " does not exist");
  if (!fs::is_directory(dir_status)) throw Error(dst.string() + ": " + dir.string() + " is not a directory");

  if (const int fd = open_unnamed(dst, dir); fd >= 0) {
    // The writer reaches the unnamed file through /proc; once it is complete and on disk it gets its
    // name: directly when dst is new, else as a named temporary renamed over dst (the only moment a
    // complete, hidden temporary could be left by a kill).
    const fs::path proc = "/proc/self/fd/" + std::to_string(fd);
    fs::path tmp;
    try {
      writer(proc);
      fsync_path(proc, O_RDONLY, dst, "temporary file");
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, dst.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        if (errno != EEXIST) throw Error(dst.string() + ": cannot name the written file: " + errno_text(errno));
        for (int attempt = 0;; ++attempt) {
          tmp = temporary_name(dst, dir);
          if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
          if (errno == EEXIST && attempt < 16) continue;
          tmp.clear();
          throw Error(dst.string() + ": cannot name the written file: " + errno_text(errno));
        }
        if (::rename(tmp.c_str(), dst.c_str()) != 0)
          throw Error(dst.string() + ": cannot rename temporary file into place: " + errno_text(errno));
      }
    } catch (...) {
      ::close(fd);
      if (!tmp.empty()) fs::remove(tmp, ec);
      throw;
    }
    ::close(fd);
    fsync_path(dir, O_RDONLY | O_DIRECTORY, dst, "directory");
    return;
  }

  // Fallback: a named temporary, reserved with O_EXCL (also where an unwritable folder is detected).
  fs::path tmp;
  for (int attempt = 0;; ++attempt) {
    tmp = temporary_name(dst, dir);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno == EEXIST && attempt < 16) continue;
    cannot_create(dst, dir, errno);
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
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) throw Error(dst.string() + ": cannot open the temporary file for writing: " + errno_text(errno));
    size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::close(fd);
        throw Error(dst.string() + ": write failed: " + errno_text(err));  // e.g. "No space left on device"
      }
      done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) throw Error(dst.string() + ": write failed: " + errno_text(errno));
  });
}

}  // namespace graspqp
