// Energy + gradient of a batch of N grasps in C++, the work of one graspqp.energy(N) call from Python: the
// reference for the bindings' per-call overhead (scripts/bench_python_energy.py). The grasps come from
// $GRASPQP_BENCH_GRASPS (a grasp file of the Allegro on the bundled mug; the object is loaded with the file's
// seed and surface samples, so the energies equal the file's), else from a short optimization.
#include <benchmark/benchmark.h>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/optim/sampler.hpp>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <nlohmann/json.hpp>

#include <Eigen/Geometry>

#include <cstdlib>

namespace {

using namespace graspqp;

struct Setup {
  HandModel hand = load_hand("allegro");
  ObjectModel object;
  std::vector<Eigen::VectorXd> x;
  std::vector<std::vector<int>> contacts;
  Setup() {
    const std::string mug = std::string(GRASPQP_ASSETS_DIR) + "/objects/ycb/mug/textured.obj";
    if (const char* file = std::getenv("GRASPQP_BENCH_GRASPS"); file && *file) {
      const GraspDataset d = read_grasp_file(file);
      ObjectLoadOptions lo;
      lo.scale = d.scale;
      lo.seed = d.seed;
      lo.surface_samples = nlohmann::json::parse(d.parameters_json)["surface_samples"].get<int>();
      object = load_object(d.object_path, lo);
      for (int i = 0; i < d.n_grasps(); ++i) {
        const auto p = d.root_pose.row(i);
        const Mat3 R = Eigen::Quaterniond(p[3], p[4], p[5], p[6]).normalized().toRotationMatrix();
        x.push_back(make_state(Vec3(p[0], p[1], p[2]), R, d.joints.row(i).transpose()));
        contacts.emplace_back(d.contact_idx.row(i).data(), d.contact_idx.row(i).data() + d.n_contacts());
      }
    } else {
      object = load_object(mug);
      SamplerOptions opt;
      opt.iterations = 100;
      for (const Sample& s :
           run_sampler(hand, hand.grasp_type("full"), object, EnergyConfig{}, opt, InitOptions{}, 256, 12, 1))
        x.push_back(s.x), contacts.push_back(s.contacts);
    }
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

// One call's work on `threads` threads (0: all): a parallel loop over the batch. With fresh_workspaces the
// per-thread workspaces are made in the call, as the bindings make them.
void batch(benchmark::State& state, bool fresh_workspaces) {
  const Setup& s = setup();
  const int n = std::min<int>(static_cast<int>(state.range(0)), static_cast<int>(s.x.size()));
  const int threads = static_cast<int>(state.range(1));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            threads > 0 ? threads : tbb::info::default_concurrency());
  const GraspType& type = s.hand.grasp_type("full");
  const EnergyConfig config;
  std::vector<double> out(n);
  tbb::enumerable_thread_specific<EnergyWorkspace> kept([&] { return EnergyWorkspace(s.hand); });
  for (auto _ : state) {
    tbb::enumerable_thread_specific<EnergyWorkspace> fresh([&] { return EnergyWorkspace(s.hand); });
    auto& ws = fresh_workspaces ? fresh : kept;
    tbb::parallel_for(0, n, [&](int i) {
      EnergyTerms terms;
      Eigen::VectorXd grad;
      out[i] = grasp_energy(s.hand, type, s.object, config, s.x[i], s.contacts[i], ws.local(), terms, &grad);
    });
    benchmark::DoNotOptimize(out.data());
  }
  double sum = 0;
  for (double e : out) sum += e;
  state.counters["energy_sum"] = sum;
  state.counters["grasps"] = n;
}

void args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 0}) b->Args({256, threads})->Args({1, threads});
  b->ArgNames({"n", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK_CAPTURE(batch, fresh_workspaces, true)->Apply(args);
BENCHMARK_CAPTURE(batch, kept_workspaces, false)->Apply(args);

}  // namespace

BENCHMARK_MAIN();
