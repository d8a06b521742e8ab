// The long jobs: generate (graspqp generate) and evaluate (graspqp eval), with the CLI's options by keyword.
// They run with the GIL released and stop on Ctrl-C (bindings.hpp: run_interruptible).
#include <graspqp/dataset/generate.hpp>
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/report/eval_job.hpp>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

namespace fs = std::filesystem;

// A Python progress callable, called with the GIL from the job's threads; an exception it raises stops the
// job and is re-raised by the call.
class PyProgress {
 public:
  explicit PyProgress(py::object fn) : fn_(std::move(fn)) {}
  bool active() const { return !fn_.is_none(); }
  void call(const nlohmann::json& info, std::atomic<bool>& stop) {
    py::gil_scoped_acquire gil;
    try {
      fn_(json_to_py(info));
    } catch (py::error_already_set& e) {
      std::lock_guard lock(m_);
      if (!error_) error_.emplace(std::move(e));
      stop = true;
      throw Interrupted();
    }
  }
  void rethrow() {
    if (error_) throw *error_;
  }
  ~PyProgress() {
    py::gil_scoped_acquire gil;
    error_.reset();
    fn_ = py::object();
  }

 private:
  py::object fn_;
  std::mutex m_;
  std::optional<py::error_already_set> error_;
};

// "freeze-after" -> "freeze_after".
std::string kwarg_name(std::string cli_name) {
  std::replace(cli_name.begin(), cli_name.end(), '-', '_');
  return cli_name;
}

// Keyword arguments by CLI name, through the library's table of generate options (its types, ranges and
// messages): lists (validate-set) after the rest, so that validate is set first.
GenerateOptions generate_options(const py::dict& options) {
  GenerateOptions o;
  std::vector<std::pair<std::string, nlohmann::json>> lists;
  for (const auto& [key, value] : options) {
    std::string name = py::str(key);
    std::replace(name.begin(), name.end(), '_', '-');
    const GenerateOptionInfo* info = find_generate_option(name);
    if (!info) throw py::type_error("generate() got an unexpected keyword argument '" + kwarg_name(name) + "'");
    nlohmann::json v = py_to_json(value);
    if (info->kind == OptionKind::TextList) {
      nlohmann::json items = nlohmann::json::array();
      if (v.is_object()) {  // {"magnitude": 5} -> ["magnitude=5"]
        for (const auto& [k, fv] : v.items()) items.push_back(k + "=" + fv.dump());
      } else if (v.is_array()) {
        items = v;
      } else {
        items.push_back(v);
      }
      lists.emplace_back(name, items);
      continue;
    }
    set_generate_option(o, name, v);
  }
  for (const auto& [name, items] : lists) set_generate_option(o, name, items);
  return o;
}

std::vector<std::string> generate_option_names() {
  std::vector<std::string> names;
  for (const auto& info : generate_option_table()) names.push_back(info.name);
  return names;
}

std::vector<ObjectSource> object_sources(const py::handle& objects) {
  if (py::isinstance<py::str>(objects) || py::hasattr(objects, "__fspath__")) {
    const std::string p = path_string(objects, "objects");
    std::error_code ec;
    if (fs::is_directory(p, ec)) return discover_objects(p);
    return name_objects({fs::path(p)});
  }
  std::vector<fs::path> files;
  for (const auto& o : objects) files.emplace_back(path_string(o, "objects"));
  if (files.empty()) throw ValueError("objects: give at least one mesh file or a folder");
  return name_objects(files);
}

py::dict report_dict(const ObjectReport& r, const fs::path& out) {
  py::dict d;
  d["name"] = r.name;
  d["object"] = r.object.string();
  d["file"] = r.file.string();
  d["relative_file"] = fs::relative(r.file, out).string();
  d["status"] = r.status;
  d["error"] = r.error;
  d["grasps"] = r.grasps;
  d["best_energy"] = r.best_energy;
  d["mean_energy"] = r.mean_energy;
  d["acceptance_rate"] = r.acceptance;
  d["valid"] = r.valid;
  d["seconds"] = r.seconds;
  d["synthesis_seconds"] = r.synthesis_seconds;
  d["energy_cpu_seconds"] = r.energy_cpu_seconds;
  d["settle_seconds"] = r.settle_seconds;
  d["validation_seconds"] = r.validation_seconds;
  return d;
}

py::list generate(const py::object& objects, const py::object& out, const py::dict& options,
                  const py::object& progress_fn) {
  GenerateOptions opts = generate_options(options);
  opts.out = path_string(out, "out");
  const std::vector<ObjectSource> sources = object_sources(objects);
  for (const auto& s : sources) {
    std::error_code ec;
    if (!fs::is_regular_file(s.path, ec)) raise_file_not_found(s.path.string() + ": file not found");
  }
  PyProgress progress(progress_fn);
  std::vector<ObjectReport> reports;
  std::atomic<bool> user_stop{false};
  try {
    run_interruptible([&](const std::atomic<bool>& stop) {
      reports = generate_dataset(opts, sources, [&](const GenerateProgress& p) {
        check_stop(stop);
        check_stop(user_stop);
        if (!progress.active()) return;
        progress.call({{"object_index", p.object_index},
                       {"objects", p.objects},
                       {"object", p.object},
                       {"iteration", p.sampler.iteration},
                       {"iterations", p.sampler.iterations},
                       {"best", p.sampler.best},
                       {"mean", p.sampler.mean},
                       {"validated", p.validated},
                       {"to_validate", p.to_validate}},
                      user_stop);
      });
    });
  } catch (const Interrupted&) {
    progress.rethrow();
    throw;
  }
  progress.rethrow();
  py::list result;
  for (const auto& r : reports) result.append(report_dict(r, opts.out));
  return result;
}

py::dict evaluate(const py::object& grasps, const py::object& out, const py::dict& options,
                  const py::object& progress_fn) {
  EvalJobOptions job;
  job.grasps = path_string(grasps, "grasps");
  job.out = path_string(out, "out");
  std::string protocol = "graspqp", protocol_config;
  std::vector<std::string> settings;
  int threads = 0;
  bool no_cache = false, no_analytic = false, no_plots = false;
  for (const auto& [key, value] : options) {
    const std::string k = py::str(key);
    const nlohmann::json v = py_to_json(value);
    auto str = [&] {
      if (!v.is_string()) throw ValueError(k + ": expected a string");
      return v.get<std::string>();
    };
    auto num = [&] {
      if (!v.is_number()) throw ValueError(k + ": expected a number");
      return v.get<double>();
    };
    auto integer = [&] {
      if (!v.is_number_integer()) throw ValueError(k + ": expected an integer");
      return v.get<std::int64_t>();
    };
    auto flag = [&] {
      if (!v.is_boolean()) throw ValueError(k + ": expected True or False");
      return v.get<bool>();
    };
    if (k == "protocol")
      protocol = str();
    else if (k == "protocol-config")
      protocol_config = str();
    else if (k == "set") {
      // A dict {field: value} or a list of "field=value" strings (as repeated --set).
      if (v.is_object()) {
        for (const auto& [f, fv] : v.items()) settings.push_back(f + "=" + fv.dump());
      } else if (v.is_array()) {
        for (const auto& s : v) {
          if (!s.is_string()) throw ValueError("set: expected a dict or a list of \"key=value\" strings");
          settings.push_back(s.get<std::string>());
        }
      } else if (v.is_string()) {
        settings.push_back(v.get<std::string>());
      } else {
        throw ValueError("set: expected a dict or a list of \"key=value\" strings");
      }
    } else if (k == "threads")
      threads = static_cast<int>(integer());
    else if (k == "trials")
      job.eval.trials = static_cast<int>(integer());
    else if (k == "perturb-translation")
      job.eval.perturb_translation = num();
    else if (k == "perturb-rotation")
      job.eval.perturb_rotation_deg = num();
    else if (k == "seed") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        throw ValueError("seed: expected a non-negative integer");
      job.eval.seed = v.get<std::uint64_t>();
    } else if (k == "hand")
      job.hand = str();
    else if (k == "object")
      job.object = str();
    else if (k == "object-parts")
      job.object_parts = str();
    else if (k == "concavity")
      job.eval.scene.object_hacd.concavity = num();
    else if (k == "hacd-faces")
      job.eval.scene.object_hacd.target_faces = static_cast<int>(integer());
    else if (k == "cache")
      job.cache = str();
    else if (k == "no-cache")
      no_cache = flag();
    else if (k == "no-analytic")
      no_analytic = flag();
    else if (k == "no-plots")
      no_plots = flag();
    else if (k == "save-mjcf")
      job.save_mjcf = flag();
    else
      throw py::type_error("evaluate() got an unexpected keyword argument '" + kwarg_name(k) + "'");
  }
  job.eval.protocol = load_protocol(protocol, protocol_config, settings);
  job.eval.threads = threads;
  job.eval.analytic_metrics = !no_analytic;
  job.use_cache = !no_cache;
  job.plots = !no_plots;

  PyProgress progress(progress_fn);
  std::atomic<bool> user_stop{false};
  nlohmann::json report;
  EvalJobCallbacks cb;
  try {
    run_interruptible([&](const std::atomic<bool>& stop) {
      cb.progress = [&](size_t file, size_t files, const std::string& object, int done, int total) {
        check_stop(stop);
        check_stop(user_stop);
        if (!progress.active()) return;
        progress.call({{"file", file}, {"files", files}, {"object", object}, {"done", done}, {"total", total}},
                      user_stop);
      };
      report = run_eval_job(job, cb);
    });
  } catch (const Interrupted&) {
    progress.rethrow();
    throw;
  }
  progress.rethrow();
  return py::dict(json_to_py(report));
}

}  // namespace

void init_jobs(py::module_& m) {
  m.def("_generate", &generate, "objects"_a, "out"_a, "options"_a, "progress"_a = py::none(),
        "graspqp generate: options by CLI name ('grasp-type', ...); see graspqp.generate.");
  m.def("_evaluate", &evaluate, "grasps"_a, "out"_a, "options"_a, "progress"_a = py::none(),
        "graspqp eval: options by CLI name; see graspqp.evaluate.");
  m.def("generate_option_names", &generate_option_names,
        "The options of graspqp.generate by CLI name (keyword arguments with _ for -), in --help order.");
}

}  // namespace graspqp::python
