#pragma once
// One exception type for every user-facing failure: the message is a single line that names the
// file (when there is one) and the problem. The CLI prints it and exits non-zero.
#include <stdexcept>
#include <string>

namespace graspqp {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace graspqp
