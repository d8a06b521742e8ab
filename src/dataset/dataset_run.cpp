#include <graspqp/dataset/dataset_run.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/metrics/analyze.hpp>
#include <graspqp/metrics/diversity.hpp>
#include <graspqp/metrics/statistics.hpp>

#include <sys/resource.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_group.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <numeric>

#include "run_units.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

namespace {

bool parse_int(const char* text, long& out) {
  if (!text || !*text) return false;
  char* end = nullptr;
  out = std::strtol(text, &end, 10);
  return end && *end == '\0';
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What `dataset status` and `dataset report` need of a finished unit, measured while hand and object are
// in memory: penetration depth and contact distance (metrics/grasp_metrics), joint entropy (diversity).
json unit_quality(const HandModel& hand, const GraspType& type, const ObjectModel& object, const GraspDataset& d) {
  const std::vector<GraspMetrics> metrics = dataset_grasp_metrics(hand, type, object, d);
  std::vector<double> depth, distance;
  for (const GraspMetrics& m : metrics) {
    depth.push_back(m.penetration_depth);
    distance.push_back(m.contact_distance.empty()
                           ? 0.0
                           : std::accumulate(m.contact_distance.begin(), m.contact_distance.end(), 0.0) /
                                 m.contact_distance.size());
  }
  return {{"penetration_depth_median", median(depth)},
          {"penetration_depth_max", depth.empty() ? 0.0 : *std::max_element(depth.begin(), depth.end())},
          {"contact_distance_mean",
           distance.empty() ? 0.0 : std::accumulate(distance.begin(), distance.end(), 0.0) / distance.size()},
          {"joint_entropy", joint_entropy(d.joints, hand.lower_limits(), hand.upper_limits())}};
}

// Temporaries a killed attempt at this unit left (".<name>.tmp.<pid>.<hex>", io/atomic_file): a unit
// belongs to one process at a time, so leftovers of its files are from an earlier, dead attempt.
void remove_stale_temporaries(const fs::path& file) {
  std::error_code ec;
  const std::string prefix = "." + file.filename().string() + ".tmp.";
  for (auto it = fs::directory_iterator(file.parent_path(), ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    if (it->path().filename().string().rfind(prefix, 0) == 0) fs::remove(it->path(), ec);
}

double peak_memory_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // kilobytes on Linux
}

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

fs::path unit_record_path(const fs::path& dir, const DatasetUnit& unit, bool failed) {
  return dir / ".records" / (unit.id + (failed ? ".failed.json" : ".json"));
}

namespace {

// The unit's record, written atomically after its file (seconds < 0: not known, rebuilt from the file).
void write_record(const fs::path& dir, const DatasetUnit& unit, const fs::path& file, const ObjectReport& rep,
                  const json& quality, const DatasetRunOptions& options, double seconds) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const json record = {{"id", unit.id},
                       {"grasps", rep.grasps},
                       {"valid", rep.valid},
                       {"seconds", seconds >= 0 ? json(seconds) : json()},
                       {"synthesis_seconds", rep.synthesis_seconds},
                       {"settle_seconds", rep.settle_seconds},
                       {"validation_seconds", rep.validation_seconds},
                       {"best_energy", rep.best_energy},
                       {"mean_energy", rep.mean_energy},
                       {"quality", quality},
                       {"sha256", sha256_file(file)},
                       {"bytes", fs::file_size(file)},
                       {"finished_unix", now},
                       {"host", host_name()},
                       {"pid", static_cast<long>(getpid())},
                       {"shard", std::to_string(options.shard.index) + "/" + std::to_string(options.shard.count)},
                       {"threads", options.threads},
                       {"peak_memory_mb", peak_memory_mb()}};
  std::error_code ec;
  fs::create_directories(unit_record_path(dir, unit).parent_path(), ec);
  write_text_atomically(unit_record_path(dir, unit), record.dump(1) + "\n");
}

}  // namespace

DatasetShard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  long k = -1, n = -1;
  if (slash == std::string::npos || !parse_int(text.substr(0, slash).c_str(), k) ||
      !parse_int(text.substr(slash + 1).c_str(), n) || n < 1 || k < 0 || k >= n || n > 1000000)
    throw Error("--shard: '" + text + "' is not K/N with 0 <= K < N (e.g. 0/3)");
  return {static_cast<int>(k), static_cast<int>(n), "--shard"};
}

DatasetShard shard_from_environment(const std::function<const char*(const char*)>& getenv) {
  long id, count, lo, hi;
  if (parse_int(getenv("SLURM_ARRAY_TASK_ID"), id)) {
    if (!parse_int(getenv("SLURM_ARRAY_TASK_MIN"), lo)) lo = 0;
    if (!parse_int(getenv("SLURM_ARRAY_TASK_COUNT"), count)) {
      if (!parse_int(getenv("SLURM_ARRAY_TASK_MAX"), hi)) throw Error("SLURM_ARRAY_TASK_ID is set without its count");
      count = hi - lo + 1;
    }
    if (id - lo < 0 || id - lo >= count)
      throw Error("SLURM_ARRAY_TASK_ID " + std::to_string(id) +
                  " is not in a contiguous array (use --array=0-N or --shard)");
    return {static_cast<int>(id - lo), static_cast<int>(count), "SLURM_ARRAY_TASK_ID"};
  }
  if (parse_int(getenv("SLURM_PROCID"), id) && parse_int(getenv("SLURM_NTASKS"), count) && id < count)
    return {static_cast<int>(id), static_cast<int>(count), "SLURM_PROCID"};
  for (auto [rank, size] :
       {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}, std::pair{"PMI_RANK", "PMI_SIZE"}})
    if (parse_int(getenv(rank), id) && parse_int(getenv(size), count) && id < count)
      return {static_cast<int>(id), static_cast<int>(count), "MPI rank"};
  return {};
}

std::vector<size_t> shard_units(const DatasetPlan& plan, int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw Error("--shard: " + std::to_string(index) + "/" + std::to_string(count) + " is not a shard");
  std::vector<size_t> order(plan.units.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return plan.units[a].cost > plan.units[b].cost; });
  std::vector<double> load(count, 0.0);
  std::vector<size_t> mine;
  for (size_t u : order) {
    const int shard = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    load[shard] += plan.units[u].cost;
    if (shard == index) mine.push_back(u);
  }
  return mine;
}

std::vector<UnitOutcome> run_dataset_units(const fs::path& dir, const DatasetPlan& plan,
                                           const std::vector<size_t>& units, const DatasetRunOptions& options) {
  dataset_detail::HandCache hands;
  return dataset_detail::run_units(dir, plan, units, options, hands);
}

std::vector<UnitOutcome> dataset_detail::run_units(const fs::path& dir, const DatasetPlan& plan,
                                                   const std::vector<size_t>& units, const DatasetRunOptions& options,
                                                   HandCache& hands) {
  // The folder must take files before any work starts (a read-only mount fails here, not after synthesis).
  try {
    write_text_atomically(dir / ".write_test", "");
    fs::remove(dir / ".write_test");
  } catch (const std::exception& e) {
    throw Error(dir.string() + ": cannot write into the dataset folder (" + std::string(e.what()) + ")");
  }
  // Hands are loaded once, only those these units need.
  for (size_t u : units) {
    const std::string& source = plan.units.at(u).hand_source;
    if (!hands.count(source)) hands[source] = std::make_shared<const HandModel>(load_hand(source));
  }
  std::unique_ptr<tbb::global_control> limit;
  if (options.threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, options.threads);

  std::mutex callback_mutex;
  std::atomic<int> finished{0};
  const int total = static_cast<int>(units.size());
  auto report = [&](DatasetRunProgress p) {
    if (!options.progress) return;
    std::lock_guard lock(callback_mutex);
    p.units_done = finished.load();
    p.units_total = total;
    options.progress(p);
  };

  auto run_one = [&](size_t u) -> UnitOutcome {
    const DatasetUnit& unit = plan.units[u];
    UnitOutcome out;
    out.unit = u;
    const fs::path file = dir / unit.file();
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    // Leftovers of a killed attempt go first, also where the unit's file was finished (killed while its
    // record was written).
    remove_stale_temporaries(file);
    remove_stale_temporaries(unit_record_path(dir, unit));
    remove_stale_temporaries(unit_record_path(dir, unit, true));
    try {
      const GenerationSetup setup = prepare_generation(unit_options(plan, unit, dir), hands.at(unit.hand_source));
      // Finished earlier (same parameters): skipped. Files are written atomically, so one that exists is
      // complete; other parameters mean another plan, which is never overwritten silently.
      if (fs::exists(file)) {
        const GraspDataset existing = read_grasp_file_attributes(file);
        if (existing.parameters_json != setup.parameters_text)
          throw Error(file.string() + ": exists with different parameters (another plan?); move it away to redo it");
        out.status = "skipped";
        if (!fs::exists(unit_record_path(dir, unit))) {
          // Killed between the file's rename and its record's: the record is rebuilt from the file.
          const GraspDataset d = read_grasp_file(file);
          ObjectLoadOptions load;
          load.scale = setup.options.scale;
          load.surface_samples = setup.options.surface_samples;
          load.seed = setup.options.seed;
          ObjectReport rep;
          rep.grasps = d.n_grasps();
          if (auto it = d.extra.find("valid"); it != d.extra.end()) rep.valid = static_cast<int>(it->second.sum());
          if (rep.grasps > 0) rep.best_energy = d.energy.minCoeff(), rep.mean_energy = d.energy.mean();
          const json quality = unit_quality(*setup.hand, *setup.type, load_object(unit.mesh, load), d);
          write_record(dir, unit, file, rep, quality, options, -1);
        }
        const json r = read_json_file(unit_record_path(dir, unit));
        out.grasps = r.value("grasps", 0);
        out.valid = r.value("valid", -1);
        return out;
      }
      json quality;
      SamplerProgress last;
      const ObjectReport rep = generate_object(
          setup, ObjectSource{unit.mesh, unit.object}, file,
          [&](const SamplerProgress& p) {
            last = p;
            report({0, 0, unit.id, p});
          },
          [&](int done, int to_validate) {
            report({0, 0, unit.id, last, done, to_validate});
          },
          [&](const ObjectModel& object, const GraspDataset& d) {
            quality = unit_quality(*setup.hand, *setup.type, object, d);
          });
      out.status = "generated";
      out.grasps = rep.grasps;
      out.valid = rep.valid;
      out.seconds = seconds_since(start);
      write_record(dir, unit, file, rep, quality, options, out.seconds);
      fs::remove(unit_record_path(dir, unit, true), ec);
    } catch (const Error& e) {
      out.status = "failed";
      out.error = e.what();
      out.seconds = seconds_since(start);
      try {  // the failure is recorded for `dataset status`; a rerun retries the unit
        fs::create_directories(unit_record_path(dir, unit, true).parent_path(), ec);
        write_text_atomically(unit_record_path(dir, unit, true),
                              json{{"id", unit.id}, {"error", out.error}, {"host", host_name()}}.dump(1) + "\n");
      } catch (const Error&) {
      }
    }
    return out;
  };

  // One unit in flight per worker (as generate_dataset pipelines objects); each worker takes the next.
  std::vector<UnitOutcome> outcomes(units.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next++) < units.size();) {
      outcomes[k] = run_one(units[k]);
      ++finished;
      if (options.on_unit) {
        std::lock_guard lock(callback_mutex);
        options.on_unit(outcomes[k]);
      }
      report({0, 0, plan.units[units[k]].id, {}, -1, 0});
    }
  };
  const int workers =
      std::min<int>(static_cast<int>(units.size()),
                    options.threads > 0 ? options.threads : static_cast<int>(tbb::info::default_concurrency()));
  tbb::task_group group;
  for (int w = 0; w < workers; ++w) group.run(worker);
  group.wait();
  return outcomes;
}

}  // namespace graspqp
