// The options of graspqp.generate by CLI name. A narrow table of the bindings' own, mirroring
// apps/cmd_generate.cpp (to be replaced by the library's table of generate options once it exists).
#include "generate_options.hpp"

#include <graspqp/sim/protocol.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

using nlohmann::json;
using Setter = std::function<void(GenerateJob&, const std::string&, const json&)>;

double number(const std::string& name, const json& v) {
  if (!v.is_number()) throw ValueError(name + ": expected a number, got " + v.dump());
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw ValueError(name + ": must be finite");
  return d;
}
long long integer(const std::string& name, const json& v) {
  if (!v.is_number_integer()) throw ValueError(name + ": expected an integer, got " + v.dump());
  return v.get<long long>();
}
std::string text(const std::string& name, const json& v) {
  if (!v.is_string()) throw ValueError(name + ": expected a string, got " + v.dump());
  return v.get<std::string>();
}
bool flag(const std::string& name, const json& v) {
  if (!v.is_boolean()) throw ValueError(name + ": expected True or False, got " + v.dump());
  return v.get<bool>();
}


template <class F>
Setter on(F field_of) {  // field_of(job) -> double&
  return [field_of](GenerateJob& j, const std::string& n, const json& v) { field_of(j) = number(n, v); };
}
template <class F>
Setter on_int(F field_of) {
  return [field_of](GenerateJob& j, const std::string& n, const json& v) {
    field_of(j) = static_cast<std::remove_reference_t<decltype(field_of(j))>>(integer(n, v));
  };
}
Setter init(const char* key) {
  return [key](GenerateJob& j, const std::string& n, const json& v) { j.options.init_overrides[key] = number(n, v); };
}

const std::map<std::string, Setter>& table() {
  static const std::map<std::string, Setter> t = {
      {"hand", [](GenerateJob& j, const std::string& n, const json& v) { j.options.hand = text(n, v); }},
      {"grasp-type", [](GenerateJob& j, const std::string& n, const json& v) { j.options.grasp_type = text(n, v); }},
      {"grasps", on_int([](GenerateJob& j) -> int& { return j.options.grasps; })},
      {"contacts", on_int([](GenerateJob& j) -> int& { return j.options.contacts; })},
      {"iters", on_int([](GenerateJob& j) -> int& { return j.options.sampler.iterations; })},
      {"energy", [](GenerateJob& j, const std::string& n, const json& v) { j.energy = text(n, v); }},
      {"optimizer", [](GenerateJob& j, const std::string& n, const json& v) { j.optimizer = text(n, v); }},
      {"seed",
       [](GenerateJob& j, const std::string& n, const json& v) {
         if (!v.is_number_integer() || v.get<long long>() < 0) throw ValueError(n + ": expected a non-negative integer");
         j.options.seed = v.get<std::uint64_t>();
       }},
      {"threads", on_int([](GenerateJob& j) -> int& { return j.options.threads; })},
      {"scale", on([](GenerateJob& j) -> double& { return j.options.scale; })},
      {"overwrite", [](GenerateJob& j, const std::string& n, const json& v) { j.options.overwrite = flag(n, v); }},
      {"validate", [](GenerateJob& j, const std::string& n, const json& v) { j.validate = v.is_null() ? "" : text(n, v); }},
      {"validate-set",
       [](GenerateJob& j, const std::string& n, const json& v) {
         j.validate_settings.clear();
         if (v.is_object()) {
           for (const auto& [k, fv] : v.items()) j.validate_settings.push_back(k + "=" + fv.dump());
         } else if (v.is_array()) {
           for (const auto& s : v) j.validate_settings.push_back(text(n, s));
         } else {
           j.validate_settings.push_back(text(n, v));
         }
       }},
      {"validate-cache",
       [](GenerateJob& j, const std::string& n, const json& v) { j.options.validate_cache = text(n, v); }},
      {"w-dis", on([](GenerateJob& j) -> double& { return j.options.energy.weights.dis; })},
      {"w-fc", on([](GenerateJob& j) -> double& { return j.options.energy.weights.fc; })},
      {"w-pen", on([](GenerateJob& j) -> double& { return j.options.energy.weights.pen; })},
      {"w-spen", on([](GenerateJob& j) -> double& { return j.options.energy.weights.spen; })},
      {"w-joints", on([](GenerateJob& j) -> double& { return j.options.energy.weights.joints; })},
      {"w-prior", on([](GenerateJob& j) -> double& { return j.options.energy.weights.prior; })},
      {"w-hpen", on([](GenerateJob& j) -> double& { return j.options.energy.weights.hpen; })},
      {"w-wall", on([](GenerateJob& j) -> double& { return j.options.energy.weights.wall; })},
      {"table-z", on([](GenerateJob& j) -> double& { return j.options.energy.table_z; })},
      {"friction", on([](GenerateJob& j) -> double& { return j.options.energy.qp.friction; })},
      {"cone-edges", on_int([](GenerateJob& j) -> int& { return j.options.energy.qp.cone_edges; })},
      {"torque-weight", on([](GenerateJob& j) -> double& { return j.options.energy.qp.torque_weight; })},
      {"lambda-min", on([](GenerateJob& j) -> double& { return j.options.energy.qp.lambda_min; })},
      {"lambda-max", on([](GenerateJob& j) -> double& { return j.options.energy.qp.lambda_max; })},
      {"reference-tangents",
       [](GenerateJob& j, const std::string& n, const json& v) { j.options.energy.qp.reference_tangents = flag(n, v); }},
      {"surface-samples", on_int([](GenerateJob& j) -> int& { return j.options.surface_samples; })},
      {"step-size", on([](GenerateJob& j) -> double& { return j.options.sampler.step_size; })},
      {"temperature", on([](GenerateJob& j) -> double& { return j.options.sampler.temperature; })},
      {"step-period", on_int([](GenerateJob& j) -> int& { return j.options.sampler.step_period; })},
      {"temperature-period", on_int([](GenerateJob& j) -> int& { return j.options.sampler.temperature_period; })},
      {"decay", on([](GenerateJob& j) -> double& { return j.options.sampler.decay; })},
      {"switch-probability", on([](GenerateJob& j) -> double& { return j.options.sampler.switch_probability; })},
      {"reset-period", on_int([](GenerateJob& j) -> int& { return j.options.sampler.reset_period; })},
      {"z-threshold", on([](GenerateJob& j) -> double& { return j.options.sampler.z_threshold; })},
      {"freeze-after", on_int([](GenerateJob& j) -> int& { return j.options.sampler.freeze_after; })},
      {"langevin", on([](GenerateJob& j) -> double& { return j.options.sampler.langevin; })},
      {"distance-lower", init("distance_lower")},
      {"distance-upper", init("distance_upper")},
      {"roll-range", init("roll_range")},
      {"pitch-range", init("pitch_range")},
      {"tilt-range", init("tilt_range")},
      {"joint-jitter", init("joint_jitter")},
  };
  return t;
}

}  // namespace

std::string kwarg_name(std::string cli_name) {
  std::replace(cli_name.begin(), cli_name.end(), '-', '_');
  return cli_name;
}

void set_generate_job_option(GenerateJob& job, const std::string& name, const nlohmann::json& value) {
  std::string cli = name;
  std::replace(cli.begin(), cli.end(), '_', '-');
  const auto it = table().find(cli);
  if (it == table().end()) throw py::type_error("generate() got an unexpected keyword argument '" + kwarg_name(name) + "'");
  it->second(job, kwarg_name(cli), value);
}

GenerateOptions finish_generate_job(const GenerateJob& job) {
  GenerateOptions o = job.options;
  o.energy.force_closure = parse_force_closure_kind(job.energy);
  o.sampler.kind = parse_sampler_kind(job.optimizer);
  if (!job.validate.empty()) {
    SimProtocol p = make_protocol(job.validate);
    p.stop_at_verdict = true;  // as the CLI: only the verdict is stored
    for (const auto& s : job.validate_settings) apply_protocol_setting(p, s);
    o.validate = p;
  } else if (!job.validate_settings.empty()) {
    throw ValueError("validate_set: needs validate=PROTOCOL");
  }
  return o;
}

std::vector<std::string> generate_option_names() {
  std::vector<std::string> names;
  for (const auto& [name, setter] : table()) names.push_back(name);
  return names;
}

}  // namespace graspqp::python
