#pragma once
// Reading a JSON file with the project's one-line errors.
#include <graspqp/check.hpp>
#include <graspqp/error.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace graspqp {

// Parses the file as Json (nlohmann::json or nlohmann::ordered_json). Throws graspqp::Error
// "<path>: cannot be read", "<path>: not a regular file" or "<path>: malformed JSON (<parser message>)".
template <class Json = nlohmann::json>
Json read_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error(path.string() + ": not a regular file");  // a folder, a device, a FIFO: never read
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot be read");
  try {
    return Json::parse(in);
  } catch (const std::exception& e) {
    throw Error(path.string() + ": malformed JSON (" + std::string(e.what()) + ")");
  }
}

// An output's JSON must hold finite numbers only: nlohmann writes NaN and infinities as null, so a NaN
// would reach the file silently. Outputs write an explicit null where a value is undefined. A non-finite
// number is a bug of graspqp (GRASPQP_CHECK: InternalError naming `what` and the JSON pointer).
template <class Json = nlohmann::json>
void check_finite_numbers(const Json& j, const std::string& what, const std::string& pointer = "") {
  if (j.is_number_float()) {
    GRASPQP_CHECK(std::isfinite(j.template get<double>()), what + ": non-finite number at '" + pointer + "'");
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) check_finite_numbers(it.value(), what, pointer + "/" + it.key());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) check_finite_numbers(j[i], what, pointer + "/" + std::to_string(i));
  }
}

}  // namespace graspqp
