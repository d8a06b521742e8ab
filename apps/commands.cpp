// The verbs of the `graspqp` CLI, registered in the order of `graspqp --help` (also used by the CLI fuzz
// target, fuzz/fuzz_cli.cpp, so that every verb's options are fuzzed).
#include <graspqp/error.hpp>
#include <graspqp/version.hpp>

#include "commands.hpp"

namespace graspqp::cli {

void check_arguments(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == nullptr || argv[i][0] == '\0')
      throw Error("argument " + std::to_string(i) + " is empty (an option's value must not be empty)");
}

std::vector<std::pair<CLI::App*, Handler>> add_commands(CLI::App& app) {
  app.set_version_flag("--version", std::string("graspqp ") + kVersion);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Handler>> verbs;
  auto add = [&](Handler (*adder)(CLI::App&)) {
    const size_t before = app.get_subcommands({}).size();
    Handler handler = adder(app);
    verbs.emplace_back(app.get_subcommands({})[before], handler);
  };
  add(add_hands_command);
  add(add_fk_command);
  add(add_sdf_command);
  add(add_generate_command);
  add(add_metrics_command);
  add(add_eval_command);
  add(add_view_command);
  add(add_hand_command);
  add(add_dataset_command);
  return verbs;
}

}  // namespace graspqp::cli
