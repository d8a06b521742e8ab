#pragma once
// One exception type for every user-facing failure: the message is a single line that names the
// file (when there is one) and the problem. The CLI prints it and exits non-zero.
#include <cstdio>
#include <stdexcept>
#include <string>

namespace graspqp {

class Error : public std::runtime_error {
 public:
  // Control characters of the message (a file name or a value with a newline, say) are written as escapes
  // (\n, \r, \t, \xHH), so the message stays one line whatever it quotes.
  explicit Error(const std::string& message) : std::runtime_error(one_line(message)) {}
  explicit Error(const char* message) : Error(std::string(message)) {}

  static std::string one_line(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else if (u < 0x20 || u == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
      } else {
        out += c;
      }
    }
    return out;
  }
};

}  // namespace graspqp
