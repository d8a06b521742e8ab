#pragma once
// Each verb of the `graspqp` CLI registers its subcommand and its handler here.
#include <CLI/CLI.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace graspqp::cli {

using Handler = std::function<int()>;

Handler add_hands_command(CLI::App& app);
Handler add_fk_command(CLI::App& app);
Handler add_sdf_command(CLI::App& app);
Handler add_generate_command(CLI::App& app);
Handler add_metrics_command(CLI::App& app);
Handler add_eval_command(CLI::App& app);     // apps/cmd_eval.cpp
Handler add_view_command(CLI::App& app);     // apps/cmd_view.cpp
Handler add_hand_command(CLI::App& app);     // apps/cmd_hand.cpp
Handler add_dataset_command(CLI::App& app);  // apps/cmd_dataset.cpp

// Throws graspqp::Error for an empty argument (""): CLI11 2.1 takes it for the name of a nameless option
// group (generate's parameter groups) and parses forever. Called before CLI::App::parse.
void check_arguments(int argc, const char* const* argv);

// Registers every verb (and --version) on `app`: each subcommand with its handler (apps/commands.cpp).
std::vector<std::pair<CLI::App*, Handler>> add_commands(CLI::App& app);

}  // namespace graspqp::cli
