#pragma once
// A dataset job's plan: the spec (hands x grasp types x objects x scales and the generate options) expanded
// into units of work, one grasp file each, written to DIR/manifest.json. Every unit carries its own seed,
// derived from (spec seed, object, scale, hand, grasp type), never from its position in a list, so a unit's
// file is the same however the units are split over processes and machines (docs/cluster.md).
#include <graspqp/dataset/generate.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace graspqp {

struct DatasetUnit {
  std::string id;           // "<hand>/<type>/<object>[_<scale>]", unique
  std::string hand;         // the hand's name in paths (bundled name or folder name)
  std::string hand_source;  // what load_hand takes: a bundled name or an absolute folder
  std::string grasp_type;
  std::string object;  // object name (DexGraspNet code, folder or file stem)
  std::filesystem::path mesh;
  double scale = 1.0;
  std::uint64_t seed = 0;
  double cost = 0;  // relative estimate (grasps x steps x hand size x mesh size), balances shards
  std::filesystem::path file() const { return id + ".h5"; }  // relative to the dataset folder
};

struct DatasetPlan {
  nlohmann::json spec;             // as read (key order normalized)
  GenerateOptions options;         // the spec's generate options (hand, type, scale, seed set per unit)
  std::vector<DatasetUnit> units;  // sorted by id
};

// Parses and checks a spec; relative paths are relative to the spec file's folder. Throws graspqp::Error
// "<spec file>: <key>: <problem>" for an unknown key or a bad value. Meshes are not opened (planning
// 10,000 objects takes seconds); a missing mesh fails its units at run time.
DatasetPlan plan_dataset(const nlohmann::json& spec, const std::filesystem::path& spec_file);

// The manifest's JSON (same spec and objects, same bytes) and back.
nlohmann::json manifest_json(const DatasetPlan& plan);
DatasetPlan read_manifest(const std::filesystem::path& dataset_dir);

// `graspqp dataset plan`: reads the spec, writes DIR/manifest.json atomically. A DIR planned from a
// different spec is refused unless `force` (finished files are never silently mixed); the same spec
// re-plans (objects added to objects_dir become new units; finished units stay valid).
DatasetPlan write_dataset_plan(const std::filesystem::path& spec_file, const std::filesystem::path& dataset_dir,
                               bool force = false);

// The generate options of one unit: the spec's options with the unit's hand, type, scale and seed.
GenerateOptions unit_options(const DatasetPlan& plan, const DatasetUnit& unit,
                             const std::filesystem::path& dataset_dir);

}  // namespace graspqp
