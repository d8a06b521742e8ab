// The table of generate options by command-line name: types, ranges, one-line errors, and the CLI built
// from it.
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/error.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace graspqp;
using nlohmann::json;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(GenerateOptions, DefaultsPassTheirOwnChecks) {
  EXPECT_NO_THROW(check_generate_options(GenerateOptions{}));
  EXPECT_GT(generate_option_table().size(), 40u);
  for (const auto& info : generate_option_table()) {
    EXPECT_EQ(find_generate_option(info.name), &info);
    EXPECT_FALSE(info.help.empty()) << info.name;
  }
  EXPECT_EQ(find_generate_option("no-such-option"), nullptr);
}

TEST(GenerateOptions, SetReachesTheFieldAndGetReadsItBack) {
  GenerateOptions o;
  set_generate_option(o, "freeze-after", 3500);
  EXPECT_EQ(o.sampler.freeze_after, 3500);
  set_generate_option(o, "w-pen", 12.5);
  EXPECT_EQ(o.energy.weights.pen, 12.5);
  set_generate_option(o, "energy", "tdg");
  EXPECT_EQ(o.energy.force_closure, ForceClosureKind::TDG);
  set_generate_option(o, "distance-lower", 0.07);
  EXPECT_EQ(o.init_overrides.at("distance_lower"), 0.07);
  set_generate_option(o, "reference-tangents", true);
  EXPECT_TRUE(o.energy.qp.reference_tangents);
  set_generate_option(o, "seed", json(std::uint64_t{18446744073709551615ull}));
  EXPECT_EQ(o.seed, 18446744073709551615ull);
  EXPECT_EQ(get_generate_option(o, "freeze-after"), 3500);
  EXPECT_EQ(get_generate_option(o, "energy"), "tdg");
  EXPECT_TRUE(get_generate_option(o, "roll-range").is_null());  // not overridden
  // Text as typed on the command line gives the same as JSON.
  GenerateOptions t;
  set_generate_option_text(t, "freeze-after", "3500");
  set_generate_option_text(t, "w-pen", "12.5");
  EXPECT_EQ(t.sampler.freeze_after, 3500);
  EXPECT_EQ(t.energy.weights.pen, 12.5);
}

TEST(GenerateOptions, ValidateThenItsSettings) {
  GenerateOptions o;
  EXPECT_NE(
      error_of([&] { set_generate_option(o, "validate-set", "min_mass=1"); }).find("--validate-set needs --validate"),
      std::string::npos);
  set_generate_option(o, "validate", "graspqp");
  ASSERT_TRUE(o.validate.has_value());
  EXPECT_TRUE(o.validate->stop_at_verdict);  // as `generate --validate`
  set_generate_option(o, "validate-set", json::array({"stop_at_verdict=false"}));
  EXPECT_FALSE(o.validate->stop_at_verdict);
  EXPECT_NE(error_of([&] { set_generate_option(o, "validate", "nope"); }).find("--validate: unknown protocol"),
            std::string::npos);
}

// Every numeric option refuses a value outside its range with a message naming the option and the range,
// and refuses values of the wrong type.
TEST(GenerateOptions, OutOfRangeAndWrongTypesAreRefusedByName) {
  const std::vector<std::pair<std::string, json>> bad = {{"grasps", 0},
                                                         {"grasps", -3},
                                                         {"contacts", 0},
                                                         {"iters", 0},
                                                         {"iters", -1},
                                                         {"threads", -1},
                                                         {"scale", 0},
                                                         {"scale", -1.0},
                                                         {"step-size", 0},
                                                         {"step-size", -0.1},
                                                         {"temperature", 0},
                                                         {"friction", -0.1},
                                                         {"friction", 0},
                                                         {"decay", 1.5},
                                                         {"decay", 0},
                                                         {"w-pen", -1},
                                                         {"cone-edges", 2},
                                                         {"surface-samples", 0},
                                                         {"switch-probability", 2},
                                                         {"seed", -1},
                                                         {"langevin", -1},
                                                         {"distance-lower", -0.1},
                                                         {"joint-jitter", 2},
                                                         {"iters", 3000000000ll},
                                                         {"lambda-max", 0}};
  for (const auto& [name, value] : bad) {
    GenerateOptions o;
    const std::string message = error_of([&] { set_generate_option(o, name, value); });
    EXPECT_EQ(message.rfind("--" + name + ": ", 0), 0u) << name << " " << value << ": '" << message << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  GenerateOptions o;
  EXPECT_NE(error_of([&] { set_generate_option(o, "iters", 2.5); }).find("not an integer"), std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option(o, "grasps", "many"); }).find("not an integer"), std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option(o, "w-pen", "x"); }).find("not a number"), std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option(o, "overwrite", 1); }).find("not true or false"), std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option_text(o, "iters", "10x"); }).find("--iters: '10x' is not a number"),
            std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option_text(o, "step-size", "nan"); }).find("--step-size"), std::string::npos);
  EXPECT_NE(error_of([&] { set_generate_option(o, "bogus", 1); }).find("--bogus: not an option"), std::string::npos);
  // An allowed value leaves no trace of the refused ones.
  EXPECT_EQ(o.sampler.iterations, GenerateOptions{}.sampler.iterations);
}

// The library checks the same ranges when it is called directly (Python, other programs).
TEST(GenerateOptions, GenerateDatasetChecksRangesOfFieldsSetDirectly) {
  GenerateOptions o;
  o.out = testing::TempDir() + "/generate_options_check";
  o.sampler.decay = 2;
  const std::vector<ObjectSource> objects = {{test::object_path("misc/apple.ply"), "apple"}};
  EXPECT_NE(error_of([&] { generate_dataset(o, objects); }).find("--decay: 2 is out of range"), std::string::npos);
  o.sampler.decay = 0.95;
  o.energy.qp.lambda_min = 30;
  EXPECT_NE(error_of([&] { generate_dataset(o, objects); }).find("--lambda-min"), std::string::npos);
}

// `graspqp generate --help` is built from the table: every option is listed, with its range.
TEST(GenerateOptions, CliHelpListsEveryOption) {
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " generate --help", &out), 0);
  for (const auto& info : generate_option_table()) {
    EXPECT_NE(out.find("--" + info.name + " "), std::string::npos) << info.name;
    if (!info.allowed.empty()) EXPECT_NE(out.find(info.allowed), std::string::npos) << info.name;
  }
  std::string err;
  EXPECT_NE(test::run_command(test::cli_path() + " generate --hand allegro --object x.obj --out /tmp/x --iters 0", &out,
                              &err),
            0);
  EXPECT_NE(err.find("--iters: 0 is out of range (allowed: at least 1)"), std::string::npos) << err;
}
