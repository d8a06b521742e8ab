#pragma once
// Strict parsing of comma-separated numbers from the command line.
#include <graspqp/error.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace graspqp::cli {

inline std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> values;
  std::stringstream ss(text);
  std::string token;
  while (std::getline(ss, token, ',')) {
    size_t used = 0;
    double v;
    try {
      v = std::stod(token, &used);
    } catch (const std::exception&) {
      throw Error(option + ": '" + token + "' is not a number");
    }
    while (used < token.size() && std::isspace(static_cast<unsigned char>(token[used]))) ++used;
    if (used != token.size()) throw Error(option + ": '" + token + "' is not a number");
    if (!std::isfinite(v)) throw Error(option + ": '" + token + "' is not a finite number");
    values.push_back(v);
  }
  return values;
}

}  // namespace graspqp::cli
