// Dataset plans: specs checked key by key, units with seeds from their identity, manifests byte-stable,
// shards that partition and balance the units, the shard taken from Slurm's or MPI's environment.
#include <graspqp/dataset/dataset_plan.hpp>
#include <graspqp/dataset/dataset_run.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/json_file.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace graspqp;
using nlohmann::json;

namespace {

class DatasetPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("dataset_plan_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  json spec() const {
    return {{"hands", {"allegro", "leap"}},
            {"objects",
             {test::object_path("ycb/mug/textured.obj").string(), test::object_path("misc/apple.ply").string(),
              test::object_path("ycb/banana/textured.obj").string()}},
            {"grasps", 2},
            {"iters", 10},
            {"seed", 5}};
  }
  fs::path write_spec(const json& j, const std::string& name = "spec.json") const {
    std::ofstream(dir_ / name) << j.dump(1);
    return dir_ / name;
  }
  std::string error_of(const json& j) const {
    try {
      plan_dataset(j, dir_ / "spec.json");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

std::map<std::string, std::uint64_t> seeds(const DatasetPlan& p) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& u : p.units) m[u.id] = u.seed;
  return m;
}

}  // namespace

TEST_F(DatasetPlanTest, UnitsAreHandsTimesTypesTimesObjectsTimesScales) {
  json s = spec();
  s["grasp_types"] = "all";
  s["scales"] = {0.8, 1.0};
  const DatasetPlan p = plan_dataset(s, dir_ / "spec.json");
  size_t expected = 0;
  for (const std::string h : {"allegro", "leap"}) expected += load_hand(h).grasp_types.size() * 3 * 2;
  EXPECT_EQ(p.units.size(), expected);
  std::set<std::string> ids;
  for (const auto& u : p.units) {
    ids.insert(u.id);
    EXPECT_EQ(u.file(), fs::path(u.hand) / u.grasp_type / (u.object + (u.scale == 1.0 ? "_1" : "_0.8") + ".h5"));
    EXPECT_GT(u.cost, 0);
  }
  EXPECT_EQ(ids.size(), p.units.size());
  EXPECT_TRUE(ids.count("allegro/full/mug_0.8"));
  // One scale, no "scales" key: no suffix.
  EXPECT_EQ(plan_dataset(spec(), dir_ / "spec.json").units.front().file().filename().string().find('_'),
            std::string::npos);
}

// A unit's seed depends on what it is, never on where it is in a list: adding, removing or reordering
// objects and hands leaves the other units' seeds as they were; another spec seed changes them all.
TEST_F(DatasetPlanTest, SeedsComeFromTheUnitsIdentity) {
  const auto base = seeds(plan_dataset(spec(), dir_ / "spec.json"));
  json reordered = spec();
  reordered["hands"] = {"leap", "allegro"};
  std::vector<std::string> objs = reordered["objects"];
  std::reverse(objs.begin(), objs.end());
  objs.pop_back();  // the mug goes
  reordered["objects"] = objs;
  const auto other = seeds(plan_dataset(reordered, dir_ / "spec.json"));
  EXPECT_EQ(other.size(), 4u);
  for (const auto& [id, seed] : other) EXPECT_EQ(seed, base.at(id)) << id;
  json reseeded = spec();
  reseeded["seed"] = 6;
  for (const auto& [id, seed] : seeds(plan_dataset(reseeded, dir_ / "spec.json"))) EXPECT_NE(seed, base.at(id)) << id;
  std::set<std::uint64_t> distinct;
  for (const auto& [id, seed] : base) distinct.insert(seed);
  EXPECT_EQ(distinct.size(), base.size());
}

TEST_F(DatasetPlanTest, SameSpecSameManifestBytesAndDifferentSpecRefused) {
  const fs::path spec_file = write_spec(spec());
  write_dataset_plan(spec_file, dir_ / "out");
  const std::string first = test::read_text(dir_ / "out" / "manifest.json");
  write_dataset_plan(spec_file, dir_ / "out");  // identical spec: no --force needed
  EXPECT_EQ(test::read_text(dir_ / "out" / "manifest.json"), first);
  json changed = spec();
  changed["iters"] = 11;
  const fs::path changed_file = write_spec(changed, "changed.json");
  try {
    write_dataset_plan(changed_file, dir_ / "out");
    ADD_FAILURE() << "a different spec was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different spec"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::read_text(dir_ / "out" / "manifest.json"), first);  // untouched
  write_dataset_plan(changed_file, dir_ / "out", /*force=*/true);
  EXPECT_EQ(read_manifest(dir_ / "out").options.sampler.iterations, 11);
  // The manifest reads back as planned.
  const DatasetPlan a = plan_dataset(changed, changed_file), b = read_manifest(dir_ / "out");
  ASSERT_EQ(a.units.size(), b.units.size());
  for (size_t i = 0; i < a.units.size(); ++i) {
    EXPECT_EQ(a.units[i].id, b.units[i].id);
    EXPECT_EQ(a.units[i].seed, b.units[i].seed);
    EXPECT_EQ(a.units[i].mesh, b.units[i].mesh);
  }
}

TEST_F(DatasetPlanTest, BadSpecsNameTheKey) {
  auto with = [&](const std::string& key, const json& value) {
    json s = spec();
    if (value.is_null() && key != "validate")
      s.erase(key);
    else
      s[key] = value;
    return error_of(s);
  };
  const std::string spec_file = (dir_ / "spec.json").string();
  EXPECT_EQ(with("itres", 5).rfind(spec_file + ": itres: unknown key", 0), 0u) << with("itres", 5);
  EXPECT_EQ(with("iters", 0).rfind(spec_file + ": iters: 0 is out of range", 0), 0u) << with("iters", 0);
  EXPECT_NE(with("grasps", "many").find(": grasps: "), std::string::npos);
  EXPECT_NE(with("hands", json::array()).find(": hands: must be a non-empty list"), std::string::npos);
  EXPECT_NE(with("hands", json()).find(": hands: missing"), std::string::npos);
  EXPECT_NE(with("hands", {"no_such_hand"}).find(": hands: "), std::string::npos);
  EXPECT_NE(with("grasp_types", {"pinch", "sideways"}).find("has no grasp type 'sideways'"), std::string::npos);
  EXPECT_NE(with("scales", {1.0, -2}).find(": scales: -2 is not a scale"), std::string::npos);
  EXPECT_NE(with("objects_dir", "x").find("exactly one of"), std::string::npos);
  EXPECT_NE(with("threads", 2).find(": threads: does not change the results"), std::string::npos);
  EXPECT_NE(with("hand", "allegro").find(": hand: use \"hands\""), std::string::npos);
  EXPECT_NE(with("validate", "nope").find(": validate: unknown protocol"), std::string::npos);
  EXPECT_NE(with("decay", 2).find(": decay: 2 is out of range"), std::string::npos);
  EXPECT_EQ(with("validate", json()), "");  // null: no validation
  EXPECT_EQ(with("freeze-after", 5), "");   // any generate option under its command-line name
  EXPECT_NE(error_of(json::array()).find("must be a JSON object"), std::string::npos);
}

// DexGraspNet's layout <dir>/<code>/coacd/decomposed.obj names units by code; planning thousands of
// objects opens no mesh.
TEST_F(DatasetPlanTest, ObjectsDirInDexGraspNetLayoutAndManyObjects) {
  const std::string mesh = test::read_text(test::object_path("misc/apple.ply"));
  for (int i = 0; i < 2000; ++i) {
    const fs::path d = dir_ / "meshes" / ("core-bottle-" + std::to_string(i)) / "coacd";
    fs::create_directories(d);
    std::ofstream(d / "decomposed.obj") << "v 0 0 0\n";  // never opened by the plan
  }
  json s = spec();
  s.erase("objects");
  s["objects_dir"] = "meshes";  // relative to the spec file
  const auto start = std::chrono::steady_clock::now();
  const DatasetPlan p = plan_dataset(s, dir_ / "spec.json");
  EXPECT_EQ(p.units.size(), 4000u);
  EXPECT_EQ(p.units.front().id, "allegro/full/core-bottle-0");
  EXPECT_EQ(p.units.front().mesh, dir_ / "meshes" / "core-bottle-0" / "coacd" / "decomposed.obj");
  std::printf("planned 4000 units in %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// Shards partition the units; largest-first to the least loaded shard keeps them balanced; the same
// (K, N) always gives the same units.
TEST_F(DatasetPlanTest, ShardsPartitionAndBalanceTheUnits) {
  DatasetPlan p;
  for (int i = 0; i < 101; ++i) {
    DatasetUnit u;
    u.id = "h/full/o" + std::to_string(i);
    u.cost = 1.0 + (i * 37 % 11);  // uneven
    p.units.push_back(u);
  }
  for (int n : {1, 3, 7}) {
    std::vector<int> owner(p.units.size(), -1);
    std::vector<double> load(n, 0);
    for (int k = 0; k < n; ++k) {
      const auto mine = shard_units(p, k, n);
      EXPECT_EQ(mine, shard_units(p, k, n));
      for (size_t u : mine) {
        EXPECT_EQ(owner[u], -1) << "unit in two shards";
        owner[u] = k;
        load[k] += p.units[u].cost;
      }
    }
    for (int o : owner) EXPECT_GE(o, 0) << "unit in no shard";
    const double max = *std::max_element(load.begin(), load.end()), min = *std::min_element(load.begin(), load.end());
    EXPECT_LE(max - min, 11.0) << n;  // within the largest unit
  }
  EXPECT_THROW(shard_units(p, 3, 3), Error);
}

TEST(DatasetShard, ParsedAndTakenFromTheEnvironment) {
  EXPECT_EQ(parse_shard("2/5").index, 2);
  EXPECT_EQ(parse_shard("2/5").count, 5);
  for (const char* bad : {"5/5", "-1/3", "1", "a/b", "1/0", "1/3x"}) EXPECT_THROW(parse_shard(bad), Error) << bad;
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  DatasetShard s = shard_from_environment(env({{"SLURM_ARRAY_TASK_ID", "4"},
                                               {"SLURM_ARRAY_TASK_MIN", "3"},
                                               {"SLURM_ARRAY_TASK_COUNT", "3"},
                                               {"SLURM_PROCID", "0"},
                                               {"SLURM_NTASKS", "1"}}));
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.source, "SLURM_ARRAY_TASK_ID");
  s = shard_from_environment(
      env({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "2"}}));
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 3);
  s = shard_from_environment(env(
      {{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "4"}, {"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"}}));
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.source, "SLURM_PROCID");
  s = shard_from_environment(env({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}}));
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.source, "MPI rank");
  s = shard_from_environment(env({}));
  EXPECT_EQ(s.index, 0);
  EXPECT_EQ(s.count, 1);
}
