#pragma once
// The reports of `graspqp eval`: a summary per evaluated file, report.json over all files, report.md.
#include <graspqp/report/eval_file.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graspqp {

// Per-file summary: success rates (protocol rule, any, all), penetration, contact distance, Q1,
// entropy, unique grasps (correct and reference-compatible), PCA diversity, timings.
nlohmann::json eval_file_summary(const EvalFileRecord& record, const EvalOptions& options);

// The whole report: {"format", "protocol", "options", "files": [summaries], "groups": [...], "overall": {...}}.
// Groups are (hand, grasp_type, energy) with means over their files (objects).
nlohmann::json eval_report(const std::vector<nlohmann::json>& file_summaries, const EvalOptions& options,
                           double wall_seconds, int threads);

// A readable Markdown rendering of eval_report() (per-object tables, overall table, protocol).
std::string eval_report_markdown(const nlohmann::json& report, const std::vector<std::string>& plot_files = {});

}  // namespace graspqp
