#pragma once
// The options of a generation job by their command-line names ("freeze-after" for --freeze-after): one
// table shared by `graspqp generate`, dataset specs (dataset/dataset_spec.hpp) and the Python package, so
// that every front end accepts the same names, values and ranges and gives the same one-line errors.
#include <graspqp/dataset/generate.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graspqp {

enum class OptionKind { Integer, Number, Text, Flag, TextList };

struct GenerateOptionInfo {
  std::string name;   // command-line name without "--"
  std::string group;  // "" (main), "energy and sampler parameters", "initialization"
  std::string help;
  OptionKind kind = OptionKind::Number;
  std::string allowed;  // the allowed values in words ("at least 1", "in (0, 1]"); empty: any
  bool results = true;  // false: does not change the results (threads, paths, --overwrite)
};

// Every option `generate` takes besides --object/--objects/--out, in the order --help lists them.
const std::vector<GenerateOptionInfo>& generate_option_table();
// The entry named `name`; nullptr when there is none.
const GenerateOptionInfo* find_generate_option(const std::string& name);

// Sets one option from a JSON value (number, string, bool, or a list of strings for TextList); throws
// graspqp::Error "--name: <problem> (allowed: ...)" for an unknown name, a wrong type or a value out of range.
// TextList options append ("validate-set" needs "validate" set first).
void set_generate_option(GenerateOptions& options, const std::string& name, const nlohmann::json& value);
// The same from command-line text ("0.5", "true" for flags, "a=b" for one TextList item).
void set_generate_option_text(GenerateOptions& options, const std::string& name, const std::string& text);
// The option's current value as JSON (null for an unset initialization override or no --validate).
nlohmann::json get_generate_option(const GenerateOptions& options, const std::string& name);
// The value as --help shows it ("" for null).
std::string generate_option_text(const GenerateOptions& options, const std::string& name);

// Every range of the table checked on `options` as they are, plus the checks between options
// (lambda-min <= lambda-max); generate_dataset calls it before any work. Throws graspqp::Error.
void check_generate_options(const GenerateOptions& options);

}  // namespace graspqp
