// URDF text: the reader behind every hand (hand/urdf.hpp), on any bytes.
#include "fuzz.hpp"
#include "hand/urdf.hpp"

GRASPQP_FUZZ_TARGET {
  const std::string xml(reinterpret_cast<const char*>(data), size);
  graspqp::fuzz::accepts([&] { graspqp::urdf::parse_string(xml, "input.urdf"); });
  return 0;
}
