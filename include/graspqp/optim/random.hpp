#pragma once
// Per-sample random streams: every sample owns its generator, seeded from (run seed, object, sample),
// so results do not depend on the thread count or on which objects run together.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

namespace graspqp {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_string(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Small, portable generator with distributions implemented here (the standard library's
// distributions differ between implementations, which would break "same seed, same result").
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : engine_(splitmix64(seed)) {}
  std::uint64_t next() { return engine_(); }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int uniform_int(int n) { return static_cast<int>(uniform() * n); }  // [0, n)
  double normal() {
    // Box-Muller without caching, so the stream position does not depend on call parity.
    double u1 = uniform();
    while (u1 <= 0) u1 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * uniform());
  }
  // Normal(mean, sigma) truncated to [lo, hi] by rejection (falls back to uniform after many tries).
  double truncated_normal(double mean, double sigma, double lo, double hi) {
    if (!(sigma > 0)) return std::clamp(mean, lo, hi);
    for (int i = 0; i < 100; ++i) {
      const double v = mean + sigma * normal();
      if (v >= lo && v <= hi) return v;
    }
    return uniform(lo, hi);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace graspqp
