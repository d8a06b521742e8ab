// Force-closure energies per call: GraspQP E_fc (value + gradient, 12 contacts, K = 4) with both QP
// methods, the QP alone, the baselines, and Ferrari-Canny Q1. Configurations: points on a 5 cm sphere with
// random outward-tilted normals ("random"), or radial normals ("near closure": mostly r* = 0).
#include <graspqp/energy/force_closure_baselines.hpp>
#include <graspqp/energy/force_closure_qp.hpp>
#include <graspqp/metrics/ferrari_canny.hpp>

#include <benchmark/benchmark.h>
#include <Eigen/Geometry>

#include <random>
#include <vector>

namespace {

using namespace graspqp;

constexpr int kContacts = 12;
constexpr int kConfigurations = 64;
constexpr double kRadius = 0.05;

struct Grasp {
  ContactArray points, normals;
};

enum Kind { kRandom = 0, kNearClosure = 1 };

Vec3 random_unit(std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0, 1);
  return Vec3(gauss(rng), gauss(rng), gauss(rng)).normalized();
}

// Points uniform on the sphere; normals radial (kNearClosure) or uniform in the outward hemisphere.
std::vector<Grasp> make_grasps(Kind kind) {
  std::mt19937_64 rng(kind + 1);
  std::vector<Grasp> out;
  for (int s = 0; s < kConfigurations; ++s) {
    Grasp g{ContactArray(kContacts, 3), ContactArray(kContacts, 3)};
    for (int i = 0; i < kContacts; ++i) {
      const Vec3 radial = random_unit(rng);
      Vec3 normal = radial;
      if (kind == kRandom) {
        do normal = random_unit(rng);
        while (normal.dot(radial) <= 0);
      }
      g.points.row(i) = kRadius * radial.transpose();
      g.normals.row(i) = normal.transpose();
    }
    out.push_back(std::move(g));
  }
  return out;
}

const std::vector<Grasp>& grasps(int kind) {
  static const std::vector<Grasp> sets[2] = {make_grasps(kRandom), make_grasps(kNearClosure)};
  return sets[kind];
}

void BM_ForceClosureQp(benchmark::State& state) {
  const auto& set = grasps(static_cast<int>(state.range(0)));
  ForceClosureQpParams params;
  params.qp_method = state.range(1) == 0 ? BoxQpMethod::ActiveSet : BoxQpMethod::MinNormPoint;
  const bool with_gradient = state.range(2) != 0;
  ForceClosureQpWorkspace ws;
  ForceClosureQpResult result;
  ContactArray dp(kContacts, 3), dn(kContacts, 3);
  size_t index = 0;
  double iterations = 0, closed = 0, worst_kkt = 0;
  for (auto _ : state) {
    const Grasp& g = set[index++ % set.size()];
    if (with_gradient)
      force_closure_qp_energy(params, g.points, g.normals, Vec3::Zero(), ws, result, dp, dn);
    else
      force_closure_qp_energy(params, g.points, g.normals, Vec3::Zero(), ws, result);
    benchmark::DoNotOptimize(result.energy);
    iterations += result.iterations;
    closed += result.residual < 1e-12;
    worst_kkt = std::max(worst_kkt, result.kkt_residual);
  }
  state.counters["qp_iterations"] = benchmark::Counter(iterations, benchmark::Counter::kAvgIterations);
  state.counters["closed_fraction"] = benchmark::Counter(closed, benchmark::Counter::kAvgIterations);
  state.counters["worst_kkt"] = worst_kkt;
}
// Args: configuration kind, QP method (0 active set, 1 min-norm point), gradient (0/1).
BENCHMARK(BM_ForceClosureQp)
    ->ArgNames({"near_closure", "min_norm_point", "gradient"})
    ->Args({kRandom, 0, 1})
    ->Args({kNearClosure, 0, 1})
    ->Args({kRandom, 0, 0})
    ->Args({kRandom, 1, 1})
    ->Args({kNearClosure, 1, 1})
    ->Unit(benchmark::kMicrosecond);

// The box QP alone on the same grasp matrices (K = 4, 48 variables).
void BM_BoxQp(benchmark::State& state) {
  const auto& set = grasps(static_cast<int>(state.range(0)));
  const BoxQpMethod method = state.range(1) == 0 ? BoxQpMethod::ActiveSet : BoxQpMethod::MinNormPoint;
  std::vector<GraspMatrix> matrices(set.size());
  for (size_t s = 0; s < set.size(); ++s)
    build_grasp_matrix({}, set[s].points, set[s].normals, Vec3::Zero(), matrices[s]);
  BoxQpWorkspace ws;
  Eigen::VectorXd lambda;
  size_t index = 0;
  for (auto _ : state) {
    const BoxQpStats stats = solve_box_qp(matrices[index++ % matrices.size()], 1.0, 21.0, ws, lambda, method);
    benchmark::DoNotOptimize(stats.kkt_residual);
  }
}
BENCHMARK(BM_BoxQp)
    ->ArgNames({"near_closure", "min_norm_point"})
    ->Args({kRandom, 0})
    ->Args({kNearClosure, 0})
    ->Args({kRandom, 1})
    ->Args({kNearClosure, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_FerrariCannyQ1(benchmark::State& state) {
  const auto& set = grasps(static_cast<int>(state.range(0)));
  FerrariCannyParams params;
  params.cone_edges = static_cast<int>(state.range(1));
  size_t index = 0;
  for (auto _ : state) {
    const Grasp& g = set[index++ % set.size()];
    benchmark::DoNotOptimize(ferrari_canny_q1(params, g.points, g.normals, Vec3::Zero(), kRadius));
  }
}
// Args: configuration kind, cone edges K (Qhull hull of 12 K wrenches in 6-D).
BENCHMARK(BM_FerrariCannyQ1)
    ->ArgNames({"near_closure", "edges"})
    ->Args({kRandom, 8})
    ->Args({kNearClosure, 8})
    ->Args({kRandom, 4})
    ->Unit(benchmark::kMicrosecond);

void BM_DexGraspNet(benchmark::State& state) {
  const auto& set = grasps(kRandom);
  ContactArray dp(kContacts, 3), dn(kContacts, 3);
  size_t index = 0;
  for (auto _ : state) {
    const Grasp& g = set[index++ % set.size()];
    benchmark::DoNotOptimize(dexgraspnet_energy({}, g.points, g.normals, Vec3::Zero(), dp, dn));
  }
}
BENCHMARK(BM_DexGraspNet)->Unit(benchmark::kMicrosecond);

void BM_Tdg(benchmark::State& state) {
  const auto& set = grasps(kRandom);
  const TdgEnergy tdg;
  TdgWorkspace ws;
  ContactArray dp(kContacts, 3), dn(kContacts, 3);
  size_t index = 0;
  for (auto _ : state) {
    const Grasp& g = set[index++ % set.size()];
    benchmark::DoNotOptimize(tdg.value(g.points, g.normals, Vec3::Zero(), ws, dp, dn));
  }
}
BENCHMARK(BM_Tdg)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
