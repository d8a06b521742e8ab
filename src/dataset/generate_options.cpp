#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/error.hpp>

#include <cmath>
#include <functional>
#include <limits>

using nlohmann::json;

namespace graspqp {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Allowed interval of a numeric option; open ends exclude the bound.
struct Range {
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;
  bool contains(double v) const {
    return std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
};

struct Entry {
  GenerateOptionInfo info;
  Range range;
  std::function<json(const GenerateOptions&)> get;
  std::function<void(GenerateOptions&, const json&)> set;  // the value's type and range are checked before
};

std::string number_text(double v) {
  json j = v;
  if (v == std::floor(v) && std::fabs(v) < 1e15) j = static_cast<long long>(v);
  return j.dump();
}

std::string range_words(const Range& r, bool integer) {
  if (r.lo == -kInf && r.hi == kInf) return "";
  if (r.hi == kInf) return (r.lo_open ? "> " : integer ? "at least " : ">= ") + number_text(r.lo);
  if (r.lo == -kInf) return (r.hi_open ? "< " : "<= ") + number_text(r.hi);
  return "in " + std::string(r.lo_open ? "(" : "[") + number_text(r.lo) + ", " + number_text(r.hi) +
         (r.hi_open ? ")" : "]");
}

Range at_least(double lo) { return {lo, kInf, false, false}; }
Range above(double lo) { return {lo, kInf, true, false}; }
constexpr int kMaxInt = std::numeric_limits<int>::max();

// Table rows for the usual field kinds: a reference to the field from the options.
template <typename Field>
Entry field(std::string name, std::string group, std::string help, Range range,
            std::function<Field&(GenerateOptions&)> ref) {
  Entry e;
  e.info.name = std::move(name);
  e.info.group = std::move(group);
  e.info.help = std::move(help);
  e.info.kind = std::is_same_v<Field, bool> ? OptionKind::Flag
                : std::is_integral_v<Field> ? OptionKind::Integer
                                            : OptionKind::Number;
  e.range = range;
  e.get = [ref](const GenerateOptions& o) { return json(ref(const_cast<GenerateOptions&>(o))); };
  e.set = [ref](GenerateOptions& o, const json& v) { ref(o) = v.get<Field>(); };
  return e;
}

Entry text(std::string name, std::string group, std::string help, std::function<json(const GenerateOptions&)> get,
           std::function<void(GenerateOptions&, const std::string&)> set, bool results = true) {
  Entry e;
  e.info = {std::move(name), std::move(group), std::move(help), OptionKind::Text, "", results};
  e.get = std::move(get);
  e.set = [set](GenerateOptions& o, const json& v) { set(o, v.get<std::string>()); };
  return e;
}

// An optional protocol option: a protocol name, or "none" for off.
Entry optional_protocol(const std::string& name, std::string group, std::string help,
                        std::optional<SimProtocol> GenerateOptions::*member) {
  return text(
      name, std::move(group), std::move(help),
      [member](const GenerateOptions& o) { return (o.*member) ? json((o.*member)->name) : json("none"); },
      [member](GenerateOptions& o, const std::string& v) {
        if (v == "none")
          (o.*member).reset();
        else
          o.*member = make_protocol(v);
      });
}

// "<protocol>-set key=value": one field of an optional protocol option, refused while that option is off.
Entry protocol_override(const std::string& protocol, std::string group,
                        std::optional<SimProtocol> GenerateOptions::*member) {
  Entry e;
  e.info = {protocol + "-set",
            std::move(group),
            "Override one field of the --" + protocol + " protocol: key=value (as graspqp eval --set)",
            OptionKind::TextList,
            "",
            true};
  e.get = [](const GenerateOptions&) { return json(); };
  e.set = [protocol, member](GenerateOptions& o, const json& v) {
    if (!(o.*member)) throw Error("--" + protocol + "-set needs --" + protocol + " PROTOCOL");
    apply_protocol_setting(*(o.*member), v.get<std::string>());
  };
  return e;
}

// Initialization overrides: unset means the hand's hand.json "init", else the built-in value.
Entry init(std::string name, const std::string& key, std::string help, Range range) {
  Entry e;
  e.info = {std::move(name), "initialization", std::move(help), OptionKind::Number, "", true};
  e.range = range;
  e.get = [key](const GenerateOptions& o) {
    auto it = o.init_overrides.find(key);
    return it == o.init_overrides.end() ? json() : json(it->second);
  };
  e.set = [key](GenerateOptions& o, const json& v) { o.init_overrides[key] = v.get<double>(); };
  return e;
}

std::vector<Entry> make_table() {
  const std::string main, adv = "energy and sampler parameters";
  using O = GenerateOptions;
  std::vector<Entry> t;
  t.push_back(text(
      "hand", main, "Hand name or folder holding a hand.json", [](const O& o) { return json(o.hand); },
      [](O& o, const std::string& v) {
        if (v.empty()) throw Error("--hand: empty (give a bundled name or a folder)");
        o.hand = v;
      }));
  t.push_back(text(
      "grasp-type", main, "full | precision | pinch (as the hand defines)",
      [](const O& o) { return json(o.grasp_type); }, [](O& o, const std::string& v) { o.grasp_type = v; }));
  t.push_back(field<int>("grasps", main, "Grasps per object", at_least(1), [](O& o) -> int& { return o.grasps; }));
  t.push_back(field<int>("contacts", main, "Contacts per grasp", at_least(1), [](O& o) -> int& { return o.contacts; }));
  t.push_back(
      field<int>("iters", main, "Optimization steps", at_least(1), [](O& o) -> int& { return o.sampler.iterations; }));
  t.push_back(text(
      "energy", main, "Force-closure energy: graspqp | dexgraspnet | tdg",
      [](const O& o) { return json(to_string(o.energy.force_closure)); },
      [](O& o, const std::string& v) { o.energy.force_closure = parse_force_closure_kind(v); }));
  t.push_back(text(
      "optimizer", main, "mala-star | annealing (DexGraspNet)",
      [](const O& o) { return json(to_string(o.sampler.kind)); },
      [](O& o, const std::string& v) { o.sampler.kind = parse_sampler_kind(v); }));
  {
    Entry e;
    e.info = {"seed", main, "Random seed", OptionKind::Integer, "", true};
    e.range = at_least(0);
    e.get = [](const O& o) { return json(o.seed); };
    e.set = [](O& o, const json& v) { o.seed = v.get<std::uint64_t>(); };
    t.push_back(e);
  }
  t.push_back(field<int>("threads", main, "Worker threads (0: all cores); results do not depend on it", {0, 4096},
                         [](O& o) -> int& { return o.threads; }));
  t.back().info.results = false;
  t.push_back(field<double>("scale", main, "Uniform object scale", {0, 1000, true, false},
                            [](O& o) -> double& { return o.scale; }));
  t.push_back(field<bool>("overwrite", main, "Redo files that exist with different parameters", {},
                          [](O& o) -> bool& { return o.overwrite; }));
  t.back().info.results = false;
  t.push_back(text(
      "validate", main,
      "Simulate each object's grasps in MuJoCo under this protocol (graspqp | graspqp-fast | dexgraspnet | "
      "dexgraspbench) and mark them in the file's \"valid\" dataset",
      [](const O& o) { return o.validate ? json(o.validate->name) : json(); },
      [](O& o, const std::string& v) {
        SimProtocol p = make_protocol(v);
        p.stop_at_verdict = true;  // only the verdict is stored; --validate-set stop_at_verdict=false for all tests
        o.validate = p;
      }));
  t.push_back(protocol_override("validate", main, &O::validate));
  t.push_back(optional_protocol(
      "settle", main,
      "Close each grasp in MuJoCo as this protocol closes it (graspqp | graspqp-fast | dexgraspnet | dexgraspbench | "
      "none) and keep the settled hand pose and joints where the closing moved the object beyond --settle-threshold",
      &O::settle));
  t.push_back(protocol_override("settle", main, &O::settle));
  t.push_back(field<double>("settle-threshold", main,
                            "Replace a grasp by its settled one only when its closing moved the object more than this "
                            "[m] (0: every grasp)",
                            {0, 10}, [](O& o) -> double& { return o.settle_threshold; }));
  t.push_back(optional_protocol(
      "depenetrate", main,
      "Move each hand out of the object until no contact of this protocol's MuJoCo scene at the grasp's start pose "
      "(dexgraspbench: the pregrasp) is deeper than --depenetrate-tolerance (graspqp | ... | none)",
      &O::depenetrate));
  t.push_back(protocol_override("depenetrate", main, &O::depenetrate));
  t.push_back(field<double>("depenetrate-tolerance", main, "Deepest hand-object contact --depenetrate leaves [m]",
                            {0, 0.05}, [](O& o) -> double& { return o.depenetrate_tolerance; }));
  t.push_back(text(
      "validate-cache", main, "Folder of cached convex parts (default <out>/.cache)",
      [](const O& o) { return json(o.validate_cache.string()); },
      [](O& o, const std::string& v) { o.validate_cache = v; }, false));

  auto weight = [&](const char* name, const char* help, double EnergyWeights::*w) {
    t.push_back(field<double>(name, adv, help, at_least(0), [w](O& o) -> double& { return o.energy.weights.*w; }));
  };
  weight("w-dis", "Weight of E_dis", &EnergyWeights::dis);
  weight("w-fc", "Weight of E_fc", &EnergyWeights::fc);
  weight("w-pen", "Weight of E_pen", &EnergyWeights::pen);
  weight("w-spen", "Weight of E_spen", &EnergyWeights::spen);
  weight("w-joints", "Weight of E_joints", &EnergyWeights::joints);
  weight("w-prior", "Weight of E_prior (table-top: grasp axis down)", &EnergyWeights::prior);
  weight("w-hpen", "Weight of E_hpen (hand surface points inside the object; 0: the reference's energy)",
         &EnergyWeights::hpen);
  weight("w-wall", "Weight of E_wall (table-top: no hand point below the table)", &EnergyWeights::wall);
  t.push_back(field<double>("table-z", adv, "Height of the table plane in the object frame [m]", {},
                            [](O& o) -> double& { return o.energy.table_z; }));
  t.push_back(field<double>("friction", adv, "Friction coefficient of the QP's cones", {0, 1, true, false},
                            [](O& o) -> double& { return o.energy.qp.friction; }));
  t.push_back(field<int>("cone-edges", adv, "Edges per linearized friction cone", {3, 64},
                         [](O& o) -> int& { return o.energy.qp.cone_edges; }));
  t.push_back(field<double>("torque-weight", adv, "Torque weight of the grasp matrix", at_least(0),
                            [](O& o) -> double& { return o.energy.qp.torque_weight; }));
  t.push_back(field<double>("lambda-min", adv, "Lower bound of the QP's edge forces", at_least(0),
                            [](O& o) -> double& { return o.energy.qp.lambda_min; }));
  t.push_back(field<double>("lambda-max", adv, "Upper bound of the QP's edge forces", above(0),
                            [](O& o) -> double& { return o.energy.qp.lambda_max; }));
  t.push_back(field<bool>("reference-tangents", adv,
                          "Unnormalized cone tangents as the reference (direction-dependent friction)", {},
                          [](O& o) -> bool& { return o.energy.qp.reference_tangents; }));
  t.push_back(field<int>("surface-samples", adv, "Object surface samples for E_pen", {1, 10000000},
                         [](O& o) -> int& { return o.surface_samples; }));
  t.push_back(field<double>("step-size", adv, "Initial step size", above(0),
                            [](O& o) -> double& { return o.sampler.step_size; }));
  t.push_back(field<double>("temperature", adv, "Initial temperature", above(0),
                            [](O& o) -> double& { return o.sampler.temperature; }));
  t.push_back(field<int>("step-period", adv, "Steps between step-size decays (per sample)", at_least(1),
                         [](O& o) -> int& { return o.sampler.step_period; }));
  t.push_back(field<int>("temperature-period", adv, "Steps between temperature decays", at_least(1),
                         [](O& o) -> int& { return o.sampler.temperature_period; }));
  t.push_back(field<double>("decay", adv, "Decay factor of step size and temperature", {0, 1, true, false},
                            [](O& o) -> double& { return o.sampler.decay; }));
  t.push_back(field<double>("switch-probability", adv, "Per-contact switch probability", {0, 1},
                            [](O& o) -> double& { return o.sampler.switch_probability; }));
  t.push_back(field<int>("reset-period", adv, "MALA*: steps between resets (0: none)", at_least(0),
                         [](O& o) -> int& { return o.sampler.reset_period; }));
  t.push_back(field<double>("z-threshold", adv, "MALA*: reset samples above this z-score", {},
                            [](O& o) -> double& { return o.sampler.z_threshold; }));
  t.push_back(field<int>("freeze-after", adv,
                         "MALA*: a sample stops after this many steps of its own schedule until a reset (0: never)",
                         at_least(0), [](O& o) -> int& { return o.sampler.freeze_after; }));
  t.push_back(field<double>("langevin", adv, "Langevin noise scale (0: off)", at_least(0),
                            [](O& o) -> double& { return o.sampler.langevin; }));
  t.push_back(text(
      "closing", main,
      "Closing command (closing_delta): auto (balanced, but reference for pinch grasps) | balanced (presses with "
      "the QP's balanced contact forces) | reference (pushes every contact 2.5 cm + 5.5 |d| into the object)",
      [](const O& o) { return json(to_string(o.closing.policy)); },
      [](O& o, const std::string& v) { o.closing.policy = parse_closing_policy(v); }));
  t.push_back(field<double>("pregrasp-scale", main,
                            "Stored pregrasp: joints - this x closing_delta (0.25: contacts about 6 mm open)", {0, 10},
                            [](O& o) -> double& { return o.poses.pregrasp; }));
  t.push_back(field<double>("squeeze-scale", main,
                            "Stored squeeze: joints + this x closing_delta (0.25: about 6 mm into the object)", {0, 10},
                            [](O& o) -> double& { return o.poses.squeeze; }));

  t.push_back(init("distance-lower", "distance_lower", "Closest initial stand-off beyond the hull [m] (built-in 0.05)",
                   at_least(0)));
  t.push_back(init("distance-upper", "distance_upper", "Farthest initial stand-off beyond the hull [m] (built-in 0.10)",
                   at_least(0)));
  t.push_back(
      init("roll-range", "roll_range", "Initial roll about the approach axis, +- [rad] (built-in pi)", {0, M_PI}));
  t.push_back(init("pitch-range", "pitch_range", "Initial pitch, +- [rad] (built-in 0.26)", {0, M_PI}));
  t.push_back(
      init("tilt-range", "tilt_range", "Initial tilt of the approach direction, +- [rad] (built-in 0.79)", {0, M_PI}));
  t.push_back(init("joint-jitter", "joint_jitter",
                   "Initial joint noise, sigma as a fraction of the range (built-in 0.1)", {0, 1}));
  for (Entry& e : t) e.info.allowed = range_words(e.range, e.info.kind == OptionKind::Integer);
  return t;
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = make_table();
  return t;
}

const Entry& entry(const std::string& name) {
  for (const Entry& e : table())
    if (e.info.name == name) return e;
  throw Error("--" + name + ": not an option of generate");
}

// A value as messages show it: 2 for 2.0, strings quoted.
std::string shown(const json& v) { return v.is_number_float() ? number_text(v.get<double>()) : v.dump(); }

// The value checked against the entry's kind and range (before anything is set).
void check_value(const Entry& e, const json& v) {
  const std::string flag = "--" + e.info.name;
  const std::string allowed = e.info.allowed.empty() ? "" : " (allowed: " + e.info.allowed + ")";
  switch (e.info.kind) {
    case OptionKind::Flag:
      if (!v.is_boolean()) throw Error(flag + ": " + shown(v) + " is not true or false");
      return;
    case OptionKind::Text:
    case OptionKind::TextList:
      if (!v.is_string()) throw Error(flag + ": " + shown(v) + " is not a string");
      return;
    case OptionKind::Integer: {
      if (!v.is_number_integer()) throw Error(flag + ": " + shown(v) + " is not an integer" + allowed);
      const bool negative = !v.is_number_unsigned() && v.get<long long>() < 0;
      const double d = negative ? static_cast<double>(v.get<long long>()) : static_cast<double>(v.get<std::uint64_t>());
      if (!e.range.contains(d)) throw Error(flag + ": " + shown(v) + " is out of range" + allowed);
      if (e.info.name != "seed" && d > kMaxInt) throw Error(flag + ": " + shown(v) + " is too large");
      return;
    }
    case OptionKind::Number:
      if (!v.is_number()) throw Error(flag + ": " + shown(v) + " is not a number" + allowed);
      if (!e.range.contains(v.get<double>())) throw Error(flag + ": " + shown(v) + " is out of range" + allowed);
      return;
  }
}

// Command-line text as the JSON value of the entry's kind; numbers are parsed strictly (all of the text).
json parse_text(const Entry& e, const std::string& text) {
  const std::string flag = "--" + e.info.name;
  switch (e.info.kind) {
    case OptionKind::Text:
    case OptionKind::TextList:
      return text;
    case OptionKind::Flag:
      if (text == "true" || text == "1" || text.empty()) return true;
      if (text == "false" || text == "0") return false;
      throw Error(flag + ": '" + text + "' is not true or false");
    case OptionKind::Integer:
    case OptionKind::Number: {
      json v;
      try {
        v = json::parse(text);
      } catch (const json::exception&) {
        v = json();
      }
      if (!v.is_number()) throw Error(flag + ": '" + text + "' is not a number");
      if (e.info.kind == OptionKind::Integer && !v.is_number_integer())
        throw Error(flag + ": '" + text + "' is not an integer");
      return v;
    }
  }
  return json();
}

}  // namespace

const std::vector<GenerateOptionInfo>& generate_option_table() {
  static const std::vector<GenerateOptionInfo> infos = [] {
    std::vector<GenerateOptionInfo> v;
    for (const Entry& e : table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const GenerateOptionInfo* find_generate_option(const std::string& name) {
  for (const GenerateOptionInfo& info : generate_option_table())
    if (info.name == name) return &info;
  return nullptr;
}

void set_generate_option(GenerateOptions& options, const std::string& name, const json& value) {
  const Entry& e = entry(name);
  if (e.info.kind == OptionKind::TextList && value.is_array()) {
    for (const json& item : value) set_generate_option(options, name, item);
    return;
  }
  check_value(e, value);
  try {
    e.set(options, value);
  } catch (const Error& error) {  // a parser's message ("unknown protocol 'x'") gets the option's name
    const std::string what = error.what();
    throw Error(what.rfind("--", 0) == 0 ? what : "--" + name + ": " + what);
  }
}

void set_generate_option_text(GenerateOptions& options, const std::string& name, const std::string& text) {
  const Entry& e = entry(name);
  set_generate_option(options, name, parse_text(e, text));
}

json get_generate_option(const GenerateOptions& options, const std::string& name) { return entry(name).get(options); }

std::string generate_option_text(const GenerateOptions& options, const std::string& name) {
  const json v = get_generate_option(options, name);
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return number_text(v.get<double>());
  return v.dump();
}

void check_generate_options(const GenerateOptions& options) {
  for (const Entry& e : table()) {
    if (e.info.kind == OptionKind::TextList) continue;
    const json v = e.get(options);
    if (!v.is_null()) check_value(e, v);
  }
  if (options.energy.qp.lambda_min > options.energy.qp.lambda_max)
    throw Error("--lambda-min: " + number_text(options.energy.qp.lambda_min) + " is above --lambda-max " +
                number_text(options.energy.qp.lambda_max));
}

}  // namespace graspqp
