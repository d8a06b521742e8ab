#pragma once
// Analytic evaluation of a grasp file: per-grasp metrics and their summary (no physics).
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/metrics/grasp_metrics.hpp>

#include <nlohmann/json.hpp>

namespace graspqp {

struct AnalyzeOverrides {
  std::string hand;              // empty: the file's `hand` attribute
  std::filesystem::path object;  // empty: the file's `object_path` attribute
};

// Grasp state vectors (t, r6, q) of a dataset's rows.
std::vector<Eigen::VectorXd> dataset_states(const GraspDataset& d);

// grasp_metrics of every grasp of `d` (in parallel), the dense object sample built once.
std::vector<GraspMetrics> dataset_grasp_metrics(const HandModel& hand, const GraspType& grasp_type,
                                                const ObjectModel& object, const GraspDataset& d,
                                                const GraspMetricsOptions& options = {});

// {"file", "hand", "object", "grasps", "per_grasp": [...], "summary": {...}} with lengths in metres.
nlohmann::json analyze_grasp_file(const std::filesystem::path& file, const AnalyzeOverrides& overrides,
                                  const GraspMetricsOptions& options = {});

}  // namespace graspqp
