#pragma once
// Always-on checks of the library's own invariants. A failed check is a programmer error, not bad input:
// it throws graspqp::InternalError (a std::logic_error, deliberately not a graspqp::Error, so no caller
// mistakes it for a refusal of the user's input and carries on); the CLI prints it and exits non-zero.
// Used where a wrong value would otherwise reach an output file (a NaN in a report, say).
#include <stdexcept>
#include <string>

namespace graspqp {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] inline void internal_error(const char* file, int line, const char* condition, const std::string& what) {
  throw InternalError(std::string("internal error (a bug of graspqp): ") + file + ":" + std::to_string(line) + ": " +
                      condition + (what.empty() ? "" : ": " + what));
}

}  // namespace graspqp

// GRASPQP_CHECK(condition, message): evaluated in every build (not an assert).
#define GRASPQP_CHECK(condition, message)                                                   \
  do {                                                                                      \
    if (!(condition)) ::graspqp::internal_error(__FILE__, __LINE__, #condition, (message)); \
  } while (false)
