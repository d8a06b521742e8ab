// Physics evaluation throughput: one hand-made Panda grasp on a box per iteration under each protocol, and
// (if GRASPQP_BENCH_GRASPS names a grasp file) that file's grasps with 1 and 2 threads.
#include <benchmark/benchmark.h>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace {

using namespace graspqp;
namespace fs = std::filesystem;

struct PandaBox {
  HandModel hand = load_hand("panda");
  ObjectModel object;
  std::vector<SimGrasp> grasps;
  PandaBox() {
    const fs::path path = fs::temp_directory_path() / ("graspqp_bench_box_" + std::to_string(::getpid()) + ".obj");
    const TriangleMesh box = make_box(Vec3(0.04, 0.016, 0.04));
    {
      std::ofstream out(path);
      for (const auto& v : box.vertices) out << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
      for (const auto& f : box.faces) out << "f " << f[0] + 1 << " " << f[1] + 1 << " " << f[2] + 1 << "\n";
    }
    ObjectLoadOptions lo;
    lo.surface_samples = 100;
    object = load_object(path, lo);
    fs::remove(path);
    SimGrasp g;
    g.root_pose << 0, 0, -0.03, 1, 0, 0, 0;
    g.joints = Eigen::VectorXd::Constant(1, 0.0085);
    g.closing_delta = Eigen::VectorXd::Constant(1, -0.01);
    grasps.push_back(g);
  }
};

void panda_box(benchmark::State& state, const std::string& protocol) {
  static PandaBox pb;
  EvalOptions o;
  o.protocol = make_protocol(protocol);
  o.threads = 1;
  const auto scene = build_sim_scene(pb.hand, pb.object, o.protocol, o.scene);
  for (auto _ : state) {
    auto r = simulate_grasps(*scene, pb.hand, pb.grasps, o);
    benchmark::DoNotOptimize(r.data());
  }
  state.counters["grasps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(panda_box, graspqp, std::string("graspqp"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(panda_box, dexgraspnet, std::string("dexgraspnet"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(panda_box, dexgraspbench, std::string("dexgraspbench"))->Unit(benchmark::kMillisecond);

void grasp_file(benchmark::State& state) {
  const char* file = std::getenv("GRASPQP_BENCH_GRASPS");
  if (!file) {
    state.SkipWithError("set GRASPQP_BENCH_GRASPS to a grasp file");
    return;
  }
  const GraspDataset d = read_grasp_file(file);
  const HandModel hand = load_hand(d.hand);
  ObjectLoadOptions lo;
  lo.scale = d.scale;
  lo.surface_samples = 100;
  const ObjectModel object = load_object(d.object_path, lo);
  EvalOptions o;
  o.threads = static_cast<int>(state.range(0));
  o.scene.cache_dir = fs::temp_directory_path() / "graspqp_bench_cache";
  const auto scene = build_sim_scene(hand, object, o.protocol, o.scene);
  const auto grasps = dataset_sim_grasps(hand, d);
  for (auto _ : state) {
    auto r = simulate_grasps(*scene, hand, grasps, o);
    benchmark::DoNotOptimize(r.data());
  }
  state.counters["grasps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * grasps.size(), benchmark::Counter::kIsRate);
}
BENCHMARK(grasp_file)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
