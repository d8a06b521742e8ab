#pragma once
// The subcommands of `graspqp dataset` (apps/cmd_dataset.cpp: plan, run; apps/cmd_dataset_status.cpp:
// status, report).
#include "commands.hpp"

namespace graspqp::cli {

Handler add_dataset_status(CLI::App& dataset);
Handler add_dataset_report(CLI::App& dataset);

}  // namespace graspqp::cli
