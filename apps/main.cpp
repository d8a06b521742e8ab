// graspqp: command-line front end. Parses, calls the library, prints; no algorithm lives here.
#include <graspqp/error.hpp>

#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"graspqp: differentiable force-closure grasp synthesis (GraspQP) in C++"};
  const auto verbs = graspqp::cli::add_commands(app);
  try {
    graspqp::cli::check_arguments(argc, argv);
  } catch (const graspqp::Error& e) {
    std::cerr << "graspqp: error: " << e.what() << "\n";
    return 1;
  }
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
