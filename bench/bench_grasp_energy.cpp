// Energy + gradient of one Allegro sample with 12 contacts on the YCB mug (target: <= 50 us, one core),
// and the individual terms, at states taken from a short optimization (realistic contact geometry).
#include <benchmark/benchmark.h>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/optim/sampler.hpp>

namespace {

using namespace graspqp;

struct Setup {
  HandModel hand = load_hand("allegro");
  ObjectModel object = load_object(std::string(GRASPQP_ASSETS_DIR) + "/objects/ycb/mug/textured.obj");
  std::vector<Sample> samples;
  Setup() {
    SamplerOptions opt;
    opt.iterations = 300;
    samples = run_sampler(hand, hand.grasp_type("full"), object, EnergyConfig{}, opt, InitOptions{}, 8, 12, 1);
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

void energy(benchmark::State& state, int only_term) {
  const Setup& s = setup();
  const GraspType& type = s.hand.grasp_type("full");
  EnergyConfig config;
  if (only_term >= 0) {
    config.weights = EnergyWeights{0, 0, 0, 0, 0, 0, 0};
    double* w[] = {&config.weights.dis, &config.weights.fc, &config.weights.pen, &config.weights.spen};
    *w[only_term] = 1;
  }
  EnergyWorkspace ws(s.hand);
  EnergyTerms terms;
  Eigen::VectorXd grad;
  size_t i = 0;
  for (auto _ : state) {
    const Sample& smp = s.samples[i++ % s.samples.size()];
    benchmark::DoNotOptimize(grasp_energy(s.hand, type, s.object, config, smp.x, smp.contacts, ws, terms, &grad));
  }
}

BENCHMARK_CAPTURE(energy, total, -1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(energy, contact_distance_only, 0)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(energy, force_closure_only, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(energy, penetration_only, 2)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
