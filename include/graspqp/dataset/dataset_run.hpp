#pragma once
// Running a planned dataset (dataset_plan.hpp): a shard of its units in this process, or all of them
// handed out by MPI rank 0. Each unit writes DIR/<hand>/<type>/<object>[_<scale>].h5 atomically and a
// record DIR/.records/<id>.json (times, counts, summary metrics, SHA-256) for `dataset status` and
// `dataset report`; finished units are skipped, so rerunning a shard is the recovery after a failure.
#include <graspqp/dataset/dataset_plan.hpp>

#include <functional>
#include <string>
#include <vector>

namespace graspqp {

struct DatasetShard {
  int index = 0, count = 1;
  std::string source = "default";  // "--shard", "SLURM_ARRAY_TASK_ID", "SLURM_PROCID", "MPI rank", "default"
};

// "K/N" with 0 <= K < N; throws graspqp::Error naming --shard.
DatasetShard parse_shard(const std::string& text);
// The shard when --shard is not given: a Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
// SLURM_ARRAY_TASK_COUNT), else a Slurm step (SLURM_PROCID of SLURM_NTASKS), else an MPI launcher's rank
// (OMPI_COMM_WORLD_RANK / PMI_RANK of their sizes), else 0/1. `getenv` is replaceable for tests.
DatasetShard shard_from_environment(const std::function<const char*(const char*)>& getenv);

// Indices (into plan.units) of shard `index` of `count`: units taken largest cost first, each to the
// shard with the least cost so far (ties: lower index); deterministic, independent of the machine.
std::vector<size_t> shard_units(const DatasetPlan& plan, int index, int count);

struct UnitOutcome {
  size_t unit = 0;
  std::string status;  // "generated" | "skipped" (finished earlier) | "failed"
  std::string error;   // for "failed": the one-line reason
  int grasps = 0, valid = -1;
  double seconds = 0;
};

struct DatasetRunProgress {
  int units_done = 0, units_total = 0;
  std::string unit;  // the unit that reported last
  SamplerProgress sampler;
  int validated = -1, to_validate = 0;
};

struct DatasetRunOptions {
  int threads = 0;  // 0: all cores
  DatasetShard shard;
  std::function<void(const DatasetRunProgress&)> progress;  // called from one thread at a time
  std::function<void(const UnitOutcome&)> on_unit;          // after each unit, from one thread at a time
};

// Runs `units` (indices into plan.units) in this process: one unit in flight per thread, each unit's
// samples in parallel, so that no core idles at a unit's per-step barrier. A unit that fails (missing or
// bad mesh) is recorded with its error and the others go on.
std::vector<UnitOutcome> run_dataset_units(const std::filesystem::path& dataset_dir, const DatasetPlan& plan,
                                           const std::vector<size_t>& units, const DatasetRunOptions& options);

// `dataset run --mpi`: MPI_Init, then rank 0 hands out the units not yet finished, largest cost first, one
// at a time to whichever rank asks, and collects the outcomes (returned on rank 0; other ranks return their
// own). One rank alone runs everything itself. Under OpenMPI's default a rank that dies ends the job;
// finished units are kept and a rerun does the rest.
std::vector<UnitOutcome> run_dataset_mpi(const std::filesystem::path& dataset_dir, const DatasetPlan& plan,
                                         const DatasetRunOptions& options, int* rank = nullptr);

// DIR/.records/<id>.json and DIR/.records/<id>.failed.json.
std::filesystem::path unit_record_path(const std::filesystem::path& dataset_dir, const DatasetUnit& unit,
                                       bool failed = false);

}  // namespace graspqp
