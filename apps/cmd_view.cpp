// `graspqp view`: placeholder until implemented.
#include <graspqp/error.hpp>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_view_command(CLI::App& app) {
  app.add_subcommand("view", "(not implemented yet)");
  return []() -> int { throw Error("'view' is not implemented yet"); };
}

}  // namespace graspqp::cli
