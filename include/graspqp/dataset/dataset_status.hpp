#pragma once
// Where a dataset job stands, from its manifest, its files and their records (no file is opened but the
// small JSON records): units done / remaining / failed with their errors, grasps and validated grasps,
// success per hand and grasp type, throughput, ETA and peak memory.
#include <graspqp/dataset/dataset_run.hpp>

#include <nlohmann/json.hpp>

namespace graspqp {

// {"units", "done", "remaining", "failed", "failures": [{"id", "error"}], "grasps", "valid", "validated_grasps",
//  "success_rate", "groups": [{"hand", "grasp_type", "units", "done", "grasps", "valid", "validated_grasps",
//  "success_rate"}], "elapsed_seconds", "grasps_per_second", "units_per_hour", "eta_seconds", "peak_memory_mb",
//  "complete"}. Rates are null where nothing is known yet.
nlohmann::json dataset_status(const std::filesystem::path& dataset_dir);

// A unit's record (DIR/.records/<id>.json); null when the unit has none.
nlohmann::json read_unit_record(const std::filesystem::path& dataset_dir, const DatasetUnit& unit);

}  // namespace graspqp
