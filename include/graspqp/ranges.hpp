#pragma once
// Range checks of user-set values, with the project's one-line message naming the option and its allowed
// range: "--perturb-rotation must be in [0, 180] deg (got -5)". NaN and infinities are always refused.
#include <graspqp/error.hpp>

#include <cstdio>
#include <string>

namespace graspqp {

inline std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// name in [lo, hi] (or (lo, hi] with open_low); unit is appended to the range, e.g. " m".
inline void require_range(const std::string& name, double v, double lo, double hi, const std::string& unit = "",
                          bool open_low = false) {
  if (open_low ? (v > lo && v <= hi) : (v >= lo && v <= hi)) return;
  throw Error(name + " must be in " + (open_low ? "(" : "[") + format_number(lo) + ", " + format_number(hi) + "]" +
              unit + " (got " + format_number(v) + ")");
}
inline void require_positive(const std::string& name, double v, double hi, const std::string& unit = "") {
  require_range(name, v, 0, hi, unit, true);
}

}  // namespace graspqp
