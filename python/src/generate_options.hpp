#pragma once
// The options of graspqp.generate by CLI name (`graspqp generate --NAME`; a keyword argument NAME with '_'
// for '-'), applied to the library's GenerateOptions.
#include <graspqp/dataset/generate.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graspqp::python {

// GenerateOptions plus the options the CLI resolves at the end (names of the energy, the optimizer and the
// --validate protocol with its --validate-set settings).
struct GenerateJob {
  GenerateOptions options;
  std::string energy = "graspqp", optimizer = "mala-star", validate;
  std::vector<std::string> validate_settings;
};

// Sets one option; `name` is a CLI name ("freeze-after") or its keyword form ("freeze_after"). Unknown names
// raise TypeError, bad values ValueError naming the option.
void set_generate_job_option(GenerateJob& job, const std::string& name, const nlohmann::json& value);
// The options as the CLI passes them to generate_dataset (energy, optimizer, validate protocol resolved).
GenerateOptions finish_generate_job(const GenerateJob& job);
// Every option name (CLI form), sorted.
std::vector<std::string> generate_option_names();

// "freeze-after" -> "freeze_after".
std::string kwarg_name(std::string cli_name);

}  // namespace graspqp::python
