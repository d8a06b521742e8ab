#pragma once
// `graspqp dataset report`: one report over a dataset job's finished files, from their records
// (dataset/dataset_run.hpp): DIR/report.json, DIR/report.md (per hand x grasp type: success with its 95 %
// Wilson interval, penetration, contact distance, diversity; plots) and DIR/index.csv, one row per file
// (file, hand, grasp_type, object, scale, grasps, valid, sha256) for training code to load.
#include <nlohmann/json.hpp>

#include <filesystem>

namespace graspqp {

// 95 % Wilson score interval of `successes` out of `n` ({0, 1} for n = 0).
std::pair<double, double> wilson_interval(long successes, long n);

// Writes the three files atomically and returns report.json's contents: {"format", "dataset", "files",
// "units", "grasps", "valid", "validated_grasps", "groups": [...], "overall": {...}}.
nlohmann::json write_dataset_report(const std::filesystem::path& dataset_dir, bool plots = true);

}  // namespace graspqp
