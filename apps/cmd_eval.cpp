// `graspqp eval`: placeholder until implemented.
#include <graspqp/error.hpp>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_eval_command(CLI::App& app) {
  app.add_subcommand("eval", "(not implemented yet)");
  return []() -> int { throw Error("'eval' is not implemented yet"); };
}

}  // namespace graspqp::cli
