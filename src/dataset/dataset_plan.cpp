#include <graspqp/dataset/dataset_plan.hpp>
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/optim/random.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

namespace {

constexpr const char* kFormat = "graspqp-dataset-manifest";

// Keys of a spec besides the generate options (which go under their command-line names).
const std::set<std::string> kSpecKeys = {"hands", "grasp_types", "objects", "objects_dir", "scales"};
// Generate options a spec gives through its own keys, or that are not part of the results.
const std::map<std::string, std::string> kNotInSpec = {
    {"hand", "use \"hands\" (a list)"},
    {"grasp-type", "use \"grasp_types\" (a list or \"all\")"},
    {"scale", "use \"scales\" (a list)"},
};

[[noreturn]] void fail(const fs::path& spec_file, const std::string& key, const std::string& problem) {
  throw Error(spec_file.string() + ": " + key + ": " + problem);
}

// A generate option's error "--iters: 0 is out of range (...)" as the spec's "iters: 0 is out of range (...)".
std::string without_flag(const std::string& message, const std::string& name) {
  const std::string prefix = "--" + name + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

std::vector<std::string> string_list(const json& v, const fs::path& spec_file, const std::string& key) {
  if (!v.is_array() || v.empty()) fail(spec_file, key, "must be a non-empty list of strings");
  std::vector<std::string> out;
  for (const json& item : v) {
    if (!item.is_string() || item.get<std::string>().empty())
      fail(spec_file, key, "must be a non-empty list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

fs::path resolve(const fs::path& base, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

// A bundled hand name stays a name; anything with a slash, or an existing folder, is a folder.
std::pair<std::string, std::string> hand_name_and_source(const fs::path& base, const std::string& given) {
  if (given.find('/') == std::string::npos && !fs::is_directory(base / given)) return {given, given};
  fs::path folder = resolve(base, given);
  if (folder.filename().empty()) folder = folder.parent_path();
  return {folder.filename().string(), folder.string()};
}

// Shortest text of a scale for file names: 0.08 -> "0.08", 1 -> "1".
std::string scale_text(double s) {
  std::string t = json(s).dump();
  if (t.size() > 2 && t.compare(t.size() - 2, 2, ".0") == 0) t.resize(t.size() - 2);
  return t;
}

// The spec's generate options: every key that is a generate option under its command-line name.
GenerateOptions spec_options(const json& spec, const fs::path& spec_file) {
  GenerateOptions o;
  // Table order, so that "validate" comes before "validate-set".
  for (const GenerateOptionInfo& info : generate_option_table()) {
    auto it = spec.find(info.name);
    if (it == spec.end()) continue;
    if (kNotInSpec.count(info.name)) fail(spec_file, info.name, kNotInSpec.at(info.name));
    if (!info.results) fail(spec_file, info.name, "does not change the results; give it to `graspqp dataset run`");
    if (it->is_null() && info.name == "validate") continue;  // null: no validation
    try {
      set_generate_option(o, info.name, *it);
    } catch (const Error& e) {
      fail(spec_file, info.name, without_flag(e.what(), info.name));
    }
  }
  try {
    check_generate_options(o);
  } catch (const Error& e) {
    throw Error(spec_file.string() + ": " + std::string(e.what()).substr(2));
  }
  return o;
}

// Relative cost of a unit: its energy evaluations times the hand's size (links, joints, spheres) and a
// mild factor for the mesh size; validation adds about a third (docs/cluster.md gives measured times).
double unit_cost(const GenerateOptions& o, const HandModel& hand, const fs::path& mesh) {
  std::error_code ec;
  const auto bytes = fs::file_size(mesh, ec);
  const double mesh_factor = ec ? 1.0 : 1.0 + 0.1 * std::log10(1.0 + static_cast<double>(bytes) / 1e5);
  const double hand_factor = hand.links.size() + hand.dof() + 0.1 * hand.spheres.size();
  const double validate_factor = o.validate ? 1.3 : 1.0;
  return 1e-6 * o.grasps * std::max(1, o.sampler.iterations) * hand_factor * mesh_factor * validate_factor;
}

json unit_json(const DatasetUnit& u) {
  return {{"id", u.id},
          {"hand", u.hand},
          {"hand_source", u.hand_source},
          {"grasp_type", u.grasp_type},
          {"object", u.object},
          {"mesh", u.mesh.string()},
          {"scale", u.scale},
          {"seed", u.seed},
          {"cost", std::round(u.cost * 1e6) / 1e6},
          {"file", u.file().string()}};
}

}  // namespace

DatasetPlan plan_dataset(const json& spec, const fs::path& spec_file) {
  if (!spec.is_object()) throw Error(spec_file.string() + ": a dataset spec must be a JSON object");
  for (const auto& [key, value] : spec.items())
    if (!kSpecKeys.count(key) && !find_generate_option(key))
      fail(spec_file, key,
           "unknown key (spec keys: hands, grasp_types, objects or objects_dir, scales, and generate "
           "options under their command-line names, e.g. iters, freeze-after)");
  const fs::path base = spec_file.parent_path().empty() ? fs::current_path() : fs::absolute(spec_file.parent_path());
  DatasetPlan plan;
  plan.spec = spec;
  plan.options = spec_options(spec, spec_file);

  // Hands and their grasp types.
  if (!spec.contains("hands")) fail(spec_file, "hands", "missing (a list of bundled names or hand folders)");
  std::vector<std::pair<std::string, std::string>> hands;  // (name in paths, source)
  for (const std::string& h : string_list(spec["hands"], spec_file, "hands"))
    hands.push_back(hand_name_and_source(base, h));
  std::vector<std::string> types = {"full"};
  bool all_types = false;
  if (auto it = spec.find("grasp_types"); it != spec.end()) {
    if (it->is_string() && *it == "all")
      all_types = true;
    else
      types = string_list(*it, spec_file, "grasp_types");
  }

  // Objects.
  std::vector<ObjectSource> objects;
  const bool listed = spec.contains("objects"), dir = spec.contains("objects_dir");
  if (listed == dir)
    fail(spec_file, "objects", "give exactly one of \"objects\" (mesh paths) and \"objects_dir\" (a folder)");
  if (listed) {
    std::vector<fs::path> files;
    for (const std::string& f : string_list(spec["objects"], spec_file, "objects")) files.push_back(resolve(base, f));
    objects = name_objects(files);
  } else {
    if (!spec["objects_dir"].is_string()) fail(spec_file, "objects_dir", "must be a folder path");
    try {
      objects = discover_objects(resolve(base, spec["objects_dir"].get<std::string>()));
    } catch (const Error& e) {
      fail(spec_file, "objects_dir", e.what());
    }
  }

  // Scales: file names get a suffix when the spec lists scales.
  std::vector<double> scales = {1.0};
  const bool scaled = spec.contains("scales");
  if (scaled) {
    const json& s = spec["scales"];
    if (!s.is_array() || s.empty()) fail(spec_file, "scales", "must be a non-empty list of numbers > 0");
    scales.clear();
    for (const json& v : s) {
      if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()) || v.get<double>() > 1000)
        fail(spec_file, "scales", v.dump() + " is not a scale (allowed: in (0, 1000])");
      scales.push_back(v.get<double>());
    }
  }

  // Units: hand x type x object x scale, each with a seed from its identity.
  std::set<std::string> ids;
  for (const auto& [hand_name, source] : hands) {
    HandModel hand;
    try {
      hand = load_hand(source);
    } catch (const Error& e) {
      fail(spec_file, "hands", e.what());
    }
    std::vector<std::string> hand_types = types;
    if (all_types) {
      hand_types.clear();
      for (const GraspType& t : hand.grasp_types) hand_types.push_back(t.name);
    }
    for (const std::string& type : hand_types) {
      if (!hand.has_grasp_type(type))
        fail(spec_file, "grasp_types", "hand '" + hand_name + "' has no grasp type '" + type + "'");
      for (const ObjectSource& obj : objects)
        for (double scale : scales) {
          DatasetUnit u;
          u.hand = hand_name;
          u.hand_source = source;
          u.grasp_type = type;
          u.object = obj.name;
          u.mesh = obj.path;
          u.scale = scale;
          const std::string scale_name = scaled ? "_" + scale_text(scale) : "";
          u.id = hand_name + "/" + type + "/" + obj.name + scale_name;
          if (!ids.insert(u.id).second)
            fail(spec_file, "hands", "two units would write " + u.id + ".h5 (a hand given twice?)");
          const std::string identity = obj.name + '\n' + scale_text(scale) + '\n' + hand_name + '\n' + type;
          u.seed = splitmix64(plan.options.seed ^ hash_string(identity));
          u.cost = unit_cost(plan.options, hand, obj.path);
          plan.units.push_back(u);
        }
    }
  }
  std::sort(plan.units.begin(), plan.units.end(),
            [](const DatasetUnit& a, const DatasetUnit& b) { return a.id < b.id; });
  return plan;
}

json manifest_json(const DatasetPlan& plan) {
  json units = json::array();
  double total = 0;
  for (const DatasetUnit& u : plan.units) units.push_back(unit_json(u)), total += u.cost;
  return {{"format", kFormat},
          {"format_version", 1},
          {"spec", plan.spec},
          {"total_cost", std::round(total * 1e3) / 1e3},
          {"units", units}};
}

DatasetPlan read_manifest(const fs::path& dir) {
  const fs::path file = dir / "manifest.json";
  if (!fs::exists(file))
    throw Error(file.string() + ": not found (run `graspqp dataset plan --spec SPEC --out " + dir.string() +
                "` first)");
  const json m = read_json_file(file);
  if (!m.is_object() || m.value("format", "") != kFormat || !m.contains("units") || !m["units"].is_array())
    throw Error(file.string() + ": not a graspqp dataset manifest");
  DatasetPlan plan;
  plan.spec = m.at("spec");
  plan.options = spec_options(plan.spec, file);
  try {
    for (const json& j : m["units"]) {
      DatasetUnit u;
      u.id = j.at("id");
      u.hand = j.at("hand");
      u.hand_source = j.at("hand_source");
      u.grasp_type = j.at("grasp_type");
      u.object = j.at("object");
      u.mesh = j.at("mesh").get<std::string>();
      u.scale = j.at("scale");
      u.seed = j.at("seed");
      u.cost = j.at("cost");
      plan.units.push_back(u);
    }
  } catch (const json::exception& e) {
    throw Error(file.string() + ": broken unit entry (" + std::string(e.what()) + ")");
  }
  return plan;
}

DatasetPlan write_dataset_plan(const fs::path& spec_file, const fs::path& dir, bool force) {
  const json spec = read_json_file(spec_file);
  DatasetPlan plan = plan_dataset(spec, spec_file);
  const fs::path manifest = dir / "manifest.json";
  if (fs::exists(manifest) && !force) {
    json old;
    try {
      old = read_json_file(manifest);
    } catch (const Error&) {
      throw Error(manifest.string() + ": exists but cannot be read; use --force to replace it");
    }
    if (old.value("spec", json()) != spec)
      throw Error(dir.string() +
                  ": planned from a different spec; finished files would be mixed (use another --out, "
                  "or --force to replace the plan)");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw Error(dir.string() + ": cannot create the dataset folder");
  write_text_atomically(manifest, manifest_json(plan).dump(1) + "\n");
  return plan;
}

GenerateOptions unit_options(const DatasetPlan& plan, const DatasetUnit& unit, const fs::path& dir) {
  GenerateOptions o = plan.options;
  o.hand = unit.hand_source;
  o.grasp_type = unit.grasp_type;
  o.scale = unit.scale;
  o.seed = unit.seed;
  o.out = dir;
  o.validate_cache = dir / ".cache";
  return o;
}

}  // namespace graspqp
