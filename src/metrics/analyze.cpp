#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/metrics/analyze.hpp>
#include <graspqp/metrics/statistics.hpp>

#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>

namespace graspqp {

using nlohmann::json;

std::vector<Eigen::VectorXd> dataset_states(const GraspDataset& d) {
  std::vector<Eigen::VectorXd> out;
  for (int b = 0; b < d.n_grasps(); ++b) {
    const Eigen::Quaterniond q(d.root_pose(b, 3), d.root_pose(b, 4), d.root_pose(b, 5), d.root_pose(b, 6));
    out.push_back(make_state(d.root_pose.row(b).head<3>().transpose(), q.normalized().toRotationMatrix(),
                             d.joints.row(b).transpose()));
  }
  return out;
}

std::vector<GraspMetrics> dataset_grasp_metrics(const HandModel& hand, const GraspType& type, const ObjectModel& object,
                                                const GraspDataset& d, const GraspMetricsOptions& options) {
  const DenseObjectSample dense = dense_object_sample(object, options);
  const auto states = dataset_states(d);
  std::vector<GraspMetrics> metrics(states.size());
  tbb::parallel_for(0, static_cast<int>(states.size()), [&](int b) {
    std::vector<int> contacts(d.contact_idx.row(b).data(), d.contact_idx.row(b).data() + d.n_contacts());
    metrics[b] = grasp_metrics(hand, type, object, dense, states[b], contacts, options);
  });
  return metrics;
}

json analyze_grasp_file(const std::filesystem::path& file, const AnalyzeOverrides& ov,
                        const GraspMetricsOptions& options) {
  validate_metrics_options(options);
  const GraspDataset d = read_grasp_file(file);
  const HandModel hand = load_hand(ov.hand.empty() ? d.hand : ov.hand);
  if (hand.dof() != d.dof())
    throw Error(file.string() + ": " + std::to_string(d.dof()) + " joints, hand '" + hand.name + "' has " +
                std::to_string(hand.dof()));
  const GraspType& type = hand.grasp_type(d.grasp_type);
  ObjectLoadOptions load;
  load.scale = d.scale;
  load.surface_samples = 100;  // the analysis uses its own dense sample
  load.culling_grid = false;
  const ObjectModel object = load_object(ov.object.empty() ? std::filesystem::path(d.object_path) : ov.object, load);
  const std::vector<GraspMetrics> metrics = dataset_grasp_metrics(hand, type, object, d, options);

  json per = json::array();
  std::vector<double> all_contacts, depths, q1s;
  int q1_positive = 0;
  for (size_t b = 0; b < metrics.size(); ++b) {
    const GraspMetrics& m = metrics[b];
    per.push_back({{"contact_distance_median", median(m.contact_distance)},
                   {"contact_distances", m.contact_distance},
                   {"penetration_depth", m.penetration_depth},
                   {"object_in_hand_depth", m.object_in_hand_depth},
                   {"hand_in_object_depth", m.hand_in_object_depth},
                   {"self_penetration", m.self_penetration},
                   {"contacts_used_for_q1", m.contacts_used_for_q1},
                   {"q1", m.q1},
                   {"energy", d.energy[b]}});
    all_contacts.insert(all_contacts.end(), m.contact_distance.begin(), m.contact_distance.end());
    depths.push_back(m.penetration_depth);
    q1s.push_back(m.q1);
    q1_positive += m.q1 > 0;
  }
  const double n = std::max<size_t>(1, metrics.size());
  json summary = {{"grasps", metrics.size()},
                  {"contact_distance_median", median(all_contacts)},
                  {"penetration_depth_median", median(depths)},
                  {"penetration_depth_mean", std::accumulate(depths.begin(), depths.end(), 0.0) / n},
                  {"q1_positive_fraction", q1_positive / n},
                  {"q1_median", median(q1s)}};
  json result = {{"file", file.string()},      {"hand", hand.name},       {"object", object.path.string()},
                 {"grasp_type", d.grasp_type}, {"energy", d.energy_name}, {"per_grasp", per},
                 {"summary", summary}};
  check_finite_numbers(result, file.string() + " metrics");  // no NaN reaches `metrics --json`
  return result;
}

}  // namespace graspqp
