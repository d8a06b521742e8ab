#pragma once
// Progress bar on stderr for the long verbs (generate, dataset run).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace graspqp::cli {

inline std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

// Progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise (logs, CI).
class ProgressBar {
 public:
  explicit ProgressBar(long total) : total_(total), tty_(::isatty(STDERR_FILENO)), start_(clock::now()) {}
  // `stage`: what is being done, shown after the bar.
  void update(long done, const std::string& stage) {
    const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
    const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : -1;
    const int decile = static_cast<int>(frac * 10);
    if (!tty_ && decile == last_decile_) return;
    last_decile_ = decile;
    const int width = 28, filled = static_cast<int>(frac * width);
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s[%s] %3.0f%% %s  %s elapsed, ETA %s%s", tty_ ? "\r" : "", bar.c_str(), 100 * frac,
                 stage.c_str(), format_duration(elapsed).c_str(), format_duration(eta).c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  using clock = std::chrono::steady_clock;
  long total_;
  bool tty_;
  clock::time_point start_;
  int last_decile_ = -1;
};

}  // namespace graspqp::cli
