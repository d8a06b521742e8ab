#pragma once
// The work of `graspqp eval`: every grasp file of a file or folder is simulated under one protocol, its
// per-grasp results written to <out>/<name>.eval.h5 (the input is never modified), and report.json and
// report.md (with plots) summarize them all. The CLI only parses options and prints.
#include <graspqp/report/eval_report.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace graspqp {

struct EvalJobOptions {
  std::filesystem::path grasps;        // a grasp file (.h5), or a folder searched recursively for them
  std::filesystem::path out;           // output folder (created if missing)
  EvalOptions eval;                    // protocol, threads, trials, scene and metric options
  std::string hand;                    // overrides the files' hand (empty: each file's)
  std::filesystem::path object;        // overrides the files' object mesh (empty: each file's)
  std::filesystem::path object_parts;  // convex parts: a folder (per-object subfolders allowed) or one OBJ
  std::filesystem::path cache;         // cached convex parts (empty: <out>/.cache)
  bool use_cache = true;
  bool plots = true;                   // run scripts/plot_report.py (needs python3-matplotlib)
  bool save_mjcf = false;              // also write each scene's compiled MJCF (<name>.xml)
};

struct EvalJobCallbacks {
  // Once the files are found and the output folder exists; `threads` is the resolved worker count.
  std::function<void(size_t files, int threads)> started;
  // Simulation progress within file `file` (0-based) of `files`.
  std::function<void(size_t file, size_t files, const std::string& object, int done, int total)> progress;
  // After each file, with its summary (eval_file_summary()).
  std::function<void(const nlohmann::json& summary)> file_done;
};

// The protocol `name` (built-in), then the fields of the JSON file `config_file` (if not empty), then each
// "key=value" setting, validated. Errors name the file or the setting.
SimProtocol load_protocol(const std::string& name, const std::filesystem::path& config_file,
                          const std::vector<std::string>& settings);

// (grasp file, its eval file relative to the output folder), sorted; a folder is searched recursively,
// skipping eval files and the temporaries of atomic writes. Throws if there is none.
std::vector<std::pair<std::filesystem::path, std::filesystem::path>> find_grasp_files(
    const std::filesystem::path& input);

// Runs the whole evaluation and returns the report, also written to <out>/report.json and <out>/report.md.
nlohmann::json run_eval_job(const EvalJobOptions& options, const EvalJobCallbacks& callbacks = {});

}  // namespace graspqp
