// MALA* steps per second on one core: 16 Allegro samples on the YCB mug and 16 Shadow samples on the
// cracker box, 400 steps from starts 0-2 cm off the surface (where the penetration terms have work, as for
// most of a run), with and without remembered near sets (energy/near_sets.hpp; the samples are the same bit for bit).
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>
#include <graspqp/optim/sampler.hpp>

namespace {

using namespace graspqp;

void sampler(benchmark::State& state, const char* hand_name, const char* object_name, bool near_sets) {
  static std::map<std::string, std::pair<HandModel, ObjectModel>> cache;
  const std::string key = std::string(hand_name) + "/" + object_name;
  if (!cache.count(key))
    cache.emplace(key,
                  std::make_pair(load_hand(hand_name), load_object(std::string(GRASPQP_ASSETS_DIR) + "/objects/ycb/" +
                                                                   object_name + "/textured.obj")));
  const auto& [hand, object] = cache.at(key);
  SamplerOptions opt;
  opt.iterations = 400;
  opt.near_sets = near_sets;
  InitOptions init;
  init.distance_lower = 0.0;  // start near the surface, where the penetration terms have work to do
  init.distance_upper = 0.02;
  tbb::task_arena one(1);
  SamplerStats stats;
  for (auto _ : state)
    one.execute([&] {
      benchmark::DoNotOptimize(
          run_sampler(hand, hand.grasp_type("full"), object, EnergyConfig{}, opt, init, 16, 12, 1, {}, &stats));
    });
  state.counters["steps/s"] = benchmark::Counter(16.0 * opt.iterations, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["reused"] =
      static_cast<double>(stats.near_reuses) / std::max(1L, stats.near_reuses + stats.near_searches);
}

BENCHMARK_CAPTURE(sampler, allegro_mug_fresh, "allegro", "mug", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(sampler, allegro_mug_near_sets, "allegro", "mug", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(sampler, shadow_cracker_box_fresh, "shadow_hand", "cracker_box", false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(sampler, shadow_cracker_box_near_sets, "shadow_hand", "cracker_box", true)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
