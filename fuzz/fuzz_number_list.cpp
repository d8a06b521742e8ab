// Comma-separated numbers of the command line (apps/parse.hpp: --joints, --pose, --index).
#include <cmath>

#include "../apps/parse.hpp"
#include "fuzz.hpp"

GRASPQP_FUZZ_TARGET {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<double> values;
  if (!graspqp::fuzz::accepts([&] { values = graspqp::cli::parse_number_list(text, "--joints"); })) return 0;
  for (double v : values)
    if (!std::isfinite(v)) graspqp::fuzz::bug("parse_number_list accepted a non-finite value");
  return 0;
}
