// Signed distance throughput on the YCB mug (16k triangles), single thread, points in random order.
//   near/10:  full query for points within 1 cm of the surface (the optimiser's working range)
//   near/1:   the same within 1 mm
//   within:   query_within, 5 mm radius, on the 1 cm set (about half hit)
//   far:      query_within, 2 mm radius, points 5-20 cm away (bounding-box rejection)
//   miss:     query_within, 2 mm radius, points inside the bounding box but > 5 mm from the surface
//   build:    constructing the field (BVH, pseudonormals, start-radius grid)
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

namespace {

using graspqp::Vec3;

const graspqp::TriangleMesh& mug() {
  static const graspqp::TriangleMesh mesh =
      graspqp::load_mesh(std::filesystem::path(GRASPQP_ASSETS_DIR) / "objects/ycb/mug/textured.obj");
  return mesh;
}

const graspqp::SignedDistanceField& mug_sdf() {
  static const graspqp::SignedDistanceField sdf(mug());
  return sdf;
}

constexpr int kPoints = 1 << 16;

// Surface samples moved up to `reach` along the normal (either side) plus up to reach/10 sideways.
std::vector<Vec3> make_near_points(double reach) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> offset(-reach, reach), jitter(-0.1 * reach, 0.1 * reach);
  std::vector<Vec3> out;
  for (const auto& s : graspqp::sample_surface(mug(), kPoints, 2))
    out.push_back(s.position + offset(rng) * s.normal + Vec3(jitter(rng), jitter(rng), jitter(rng)));
  return out;
}

const std::vector<Vec3>& near_points() {
  static const std::vector<Vec3> points = make_near_points(0.01);
  return points;
}

const std::vector<Vec3>& very_near_points() {
  static const std::vector<Vec3> points = make_near_points(0.001);
  return points;
}

// Inside the mug's bounding box (the cup's inside, around the handle) but more than 5 mm from the surface.
const std::vector<Vec3>& miss_points() {
  static const std::vector<Vec3> points = [] {
    std::mt19937_64 rng(4);
    const auto box = mug().bounding_box();
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<Vec3> out;
    while (out.size() < kPoints) {
      const Vec3 p = box.min() + box.sizes().cwiseProduct(Vec3(u(rng), u(rng), u(rng)));
      if (std::abs(mug_sdf().query(p).distance) > 0.005) out.push_back(p);
    }
    return out;
  }();
  return points;
}

// Points 5-20 cm from the mug's bounding box centre plus its half diagonal: always far outside.
const std::vector<Vec3>& far_points() {
  static const std::vector<Vec3> points = [] {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> g;
    std::uniform_real_distribution<double> distance(0.05, 0.2);
    const auto box = mug().bounding_box();
    std::vector<Vec3> out;
    for (int i = 0; i < kPoints; ++i)
      out.push_back(box.center() +
                    (0.5 * box.diagonal().norm() + distance(rng)) * Vec3(g(rng), g(rng), g(rng)).normalized());
    return out;
  }();
  return points;
}

void BM_SdfQueryNearMug(benchmark::State& state) {
  const auto& sdf = mug_sdf();
  const auto& points = state.range(0) == 10 ? near_points() : very_near_points();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sdf.query(points[i]));
    i = (i + 1) & (kPoints - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdfQueryNearMug)->ArgName("mm")->Arg(10)->Arg(1);

void BM_SdfQueryWithinFar(benchmark::State& state) {
  const auto& sdf = mug_sdf();
  const auto& points = far_points();
  graspqp::SdfResult out;
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += sdf.query_within(points[i], 0.002, out);
    i = (i + 1) & (kPoints - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdfQueryWithinFar);

void BM_SdfQueryWithinNear(benchmark::State& state) {
  // query_within with a 5 mm radius on the near set: about half hit.
  const auto& sdf = mug_sdf();
  const auto& points = near_points();
  graspqp::SdfResult out;
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += sdf.query_within(points[i], 0.005, out);
    i = (i + 1) & (kPoints - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdfQueryWithinNear);

void BM_SdfQueryWithinMissInBox(benchmark::State& state) {
  const auto& sdf = mug_sdf();
  const auto& points = miss_points();
  graspqp::SdfResult out;
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += sdf.query_within(points[i], 0.002, out);
    i = (i + 1) & (kPoints - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdfQueryWithinMissInBox);

void BM_SdfBuildMug(benchmark::State& state) {
  const auto& mesh = mug();
  for (auto _ : state) {
    graspqp::SignedDistanceField sdf(mesh);
    benchmark::DoNotOptimize(&sdf);
  }
}
BENCHMARK(BM_SdfBuildMug)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
