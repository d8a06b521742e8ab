// FK + adjoint gradient for one hand sample with 12 contacts (target: < 5 us for the Shadow hand).
#include <benchmark/benchmark.h>
#include <graspqp/hand/kinematics.hpp>

#include <random>

namespace {

using namespace graspqp;

void fk_and_adjoint(benchmark::State& state, const std::string& hand) {
  const HandModel model = load_hand(hand);
  HandData data(model);
  const auto& cands = model.grasp_type("full").candidates;
  std::mt19937_64 rng(1);
  std::vector<int> idx(12);
  for (int& i : idx) i = static_cast<int>(rng() % cands.size());
  Eigen::VectorXd x = make_state(Vec3(0.01, 0.02, 0.1), Mat3::Identity(), model.default_joints());
  Eigen::VectorXd grad(model.state_size());
  for (auto _ : state) {
    forward_kinematics(model, x, data);
    clear_gradient(data);
    for (int i : idx) {
      const auto& c = cands[i];
      const Vec3 p = data.to_world(c.link, c.position);
      const Vec3 n = data.dir_to_world(c.link, c.normal);
      add_point_gradient(data, c.link, p, p);
      add_normal_gradient(data, c.link, n, n);
    }
    backpropagate(model, data, grad);
    benchmark::DoNotOptimize(grad.data());
  }
}

BENCHMARK_CAPTURE(fk_and_adjoint, shadow_hand, std::string("shadow_hand"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(fk_and_adjoint, allegro, std::string("allegro"))->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
