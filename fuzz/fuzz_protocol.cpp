// Protocol values (sim/protocol.hpp): the input as a --protocol-config JSON file, and each of its lines
// as a `--set key=value` (graspqp eval --set, generate --validate-set), then validated.
#include <graspqp/report/eval_job.hpp>

#include <sstream>

#include "fuzz.hpp"

GRASPQP_FUZZ_TARGET {
  using namespace graspqp;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto config = fuzz::input_file("protocol.json", data, size);
  fuzz::accepts([&] { load_protocol("dexgraspbench", config, {}); });
  std::vector<std::string> settings;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) settings.push_back(line);
  SimProtocol p;
  if (!fuzz::accepts([&] { p = load_protocol("graspqp", "", settings); })) return 0;
  // An accepted protocol has a finite, positive length and names every test.
  const double t = p.total_duration();
  if (!(t > 0) || !std::isfinite(t)) fuzz::bug("accepted protocol with total duration " + std::to_string(t));
  if (protocol_test_names(p).size() != p.tests.size()) fuzz::bug("test names do not match the tests");
  fuzz::accepts([&] { apply_protocol_json(p, protocol_to_json(p)); });
  return 0;
}
