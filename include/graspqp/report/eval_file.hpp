#pragma once
// The per-grasp results file of `graspqp eval` (<name>.eval.h5, format "graspqp-eval", version 1; see
// docs/evaluation.md) and the record of one evaluated grasp file that the reports are made from.
#include <graspqp/sim/evaluate.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace graspqp {

// Everything the reports need about one evaluated grasp file.
struct EvalFileRecord {
  std::filesystem::path input;   // the grasp file (never modified)
  std::filesystem::path output;  // its <name>.eval.h5
  std::string object_name;       // short name (folder of textured.obj, file stem, ...)
  std::string hand, grasp_type, energy, object_path, object_sha256;
  Eigen::MatrixXd root_pose;     // N x 7
  Eigen::MatrixXd joints;        // N x DOF, hand joint order
  Eigen::VectorXd lower, upper;  // hand joint limits
  std::vector<std::string> joint_names;
  std::vector<GraspEvalResult> results;
  // Scene facts.
  double object_mass = 0;
  int object_parts = 0, hand_parts = 0;
  std::string object_parts_source;
  double decomposition_seconds = 0, build_seconds = 0, simulation_seconds = 0, metrics_seconds = 0;
};

// Per-grasp results as HDF5 (format "graspqp-eval", version 1; see docs/evaluation.md), written atomically.
void write_eval_file(const EvalFileRecord& record, const EvalOptions& options);
// Reads back the `success` column of an eval file (tests, tools).
std::vector<int> read_eval_success(const std::filesystem::path& path);

}  // namespace graspqp
