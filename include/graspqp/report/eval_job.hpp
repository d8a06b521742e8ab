#pragma once
// The work of `graspqp eval`: every grasp file of a file or folder is simulated under one protocol, its
// per-grasp results written to <out>/<name>.eval.h5 (the input is never modified), and report.json and
// report.md (with plots) summarize them all. The CLI only parses options and prints.
#include <graspqp/report/eval_report.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
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
  bool plots = true;       // run scripts/plot_report.py (needs python3-matplotlib)
  bool save_mjcf = false;  // also write each scene's compiled MJCF (<name>.xml)
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

// Resuming (docs/evaluation.md): every input's outputs are <name>.eval.h5 and then <name>.eval.json, which
// holds the input's key (everything its results depend on: the grasp file's path and SHA-256, the hand,
// the object mesh's path and SHA-256, the object parts, the protocol, the options), the eval file's SHA-256
// and the input's summary (report.json's files[] entry). A rerun takes the summary of every input whose key
// and eval file match, and evaluates the others (again).
nlohmann::json eval_resume_key(const std::filesystem::path& input, const std::string& hand,
                               const std::filesystem::path& object, const EvalOptions& options, bool save_mjcf);
// The summary stored in `summary_file` if it is a finished evaluation of `key` whose eval file is
// `eval_file` as written; nullopt otherwise (missing, unreadable, another key, a changed eval file).
std::optional<nlohmann::json> finished_eval_summary(const std::filesystem::path& summary_file,
                                                    const std::filesystem::path& eval_file, const nlohmann::json& key);

// Runs the whole evaluation and returns the report, also written to <out>/report.json and <out>/report.md.
// Resumable: see eval_resume_key.
nlohmann::json run_eval_job(const EvalJobOptions& options, const EvalJobCallbacks& callbacks = {});

}  // namespace graspqp
