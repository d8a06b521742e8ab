#pragma once
// Each verb of the `graspqp` CLI registers its subcommand and its handler here.
#include <CLI/CLI.hpp>

#include <functional>

namespace graspqp::cli {

using Handler = std::function<int()>;

Handler add_hands_command(CLI::App& app);
Handler add_fk_command(CLI::App& app);
Handler add_sdf_command(CLI::App& app);
Handler add_generate_command(CLI::App& app);
Handler add_metrics_command(CLI::App& app);
Handler add_eval_command(CLI::App& app);  // apps/cmd_eval.cpp
Handler add_view_command(CLI::App& app);  // apps/cmd_view.cpp
Handler add_hand_command(CLI::App& app);  // apps/cmd_hand.cpp
Handler add_dataset_command(CLI::App& app);  // apps/cmd_dataset.cpp

}  // namespace graspqp::cli
