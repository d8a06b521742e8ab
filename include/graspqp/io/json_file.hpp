#pragma once
// Reading a JSON file with the project's one-line errors.
#include <graspqp/error.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace graspqp {

// Parses the file as Json (nlohmann::json or nlohmann::ordered_json). Throws graspqp::Error
// "<path>: cannot be read" or "<path>: malformed JSON (<parser message>)".
template <class Json = nlohmann::json>
Json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot be read");
  try {
    return Json::parse(in);
  } catch (const std::exception& e) {
    throw Error(path.string() + ": malformed JSON (" + std::string(e.what()) + ")");
  }
}

}  // namespace graspqp
