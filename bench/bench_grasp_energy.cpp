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

// Every term is computed whatever its weight (the unweighted terms are reported), so only the whole
// energy is timed; perf splits it by term (docs/results.md, "Speed").
void energy(benchmark::State& state) {
  const Setup& s = setup();
  const GraspType& type = s.hand.grasp_type("full");
  const EnergyConfig config;
  EnergyWorkspace ws(s.hand);
  EnergyTerms terms;
  Eigen::VectorXd grad;
  size_t i = 0;
  for (auto _ : state) {
    const Sample& smp = s.samples[i++ % s.samples.size()];
    benchmark::DoNotOptimize(grasp_energy(s.hand, type, s.object, config, smp.x, smp.contacts, ws, terms, &grad));
  }
}

BENCHMARK(energy)->Name("energy/total")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
