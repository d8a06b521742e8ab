// The command line (apps/, CLI11): the input's lines are the arguments after `graspqp`, parsed by the
// real verb table. Parse errors (CLI::ParseError, help and version included) are the expected refusal;
// the verbs' handlers do the work and are not run. Arguments are checked first as main() does.
#include <vector>

#include "../apps/commands.hpp"
#include "fuzz.hpp"

GRASPQP_FUZZ_TARGET {
  std::vector<std::string> args{"graspqp"};
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      args.push_back(current);
      current.clear();
    } else if (data[i] != '\0') {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty()) args.push_back(current);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  graspqp::fuzz::accepts([&] {
    CLI::App app{"graspqp"};
    const auto verbs = graspqp::cli::add_commands(app);
    graspqp::cli::check_arguments(static_cast<int>(args.size()), argv.data());  // as main() does
    try {
      app.parse(static_cast<int>(args.size()), argv.data());
    } catch (const CLI::ParseError&) {
      return;
    }
    int parsed = 0;
    for (const auto& v : verbs) parsed += v.first->parsed();
    if (parsed != 1) graspqp::fuzz::bug("a successful parse selected " + std::to_string(parsed) + " verbs");
  });
  return 0;
}
