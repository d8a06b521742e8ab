// graspqp: command-line front end. Parses, calls the library, prints; no algorithm lives here.
#include <graspqp/error.hpp>
#include <graspqp/version.hpp>

#include <iostream>
#include <vector>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"graspqp: differentiable force-closure grasp synthesis (GraspQP) in C++"};
  app.set_version_flag("--version", std::string("graspqp ") + graspqp::kVersion);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, graspqp::cli::Handler>> verbs;
  auto add = [&](auto adder) {
    size_t before = app.get_subcommands({}).size();
    auto handler = adder(app);
    verbs.emplace_back(app.get_subcommands({})[before], handler);
  };
  add(graspqp::cli::add_hands_command);
  add(graspqp::cli::add_fk_command);
  add(graspqp::cli::add_sdf_command);
  add(graspqp::cli::add_generate_command);
  add(graspqp::cli::add_metrics_command);
  add(graspqp::cli::add_eval_command);
  add(graspqp::cli::add_view_command);
  add(graspqp::cli::add_hand_command);
  add(graspqp::cli::add_dataset_command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, handler] : verbs)
      if (sub->parsed()) return handler();
  } catch (const graspqp::Error& e) {
    std::cerr << "graspqp: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "graspqp: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
