// `dataset run --mpi`: rank 0 hands out units on request, largest cost first; every other rank asks for a
// unit, runs it (run_dataset_units with one unit) and asks again, so uneven objects leave no rank idle.
#include <graspqp/dataset/dataset_run.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/json_file.hpp>

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <thread>

#include "run_units.hpp"

namespace fs = std::filesystem;

namespace graspqp {

namespace {

constexpr int kTagRequest = 1;  // worker -> 0: {last unit or -1, status, grasps, valid}
constexpr int kTagAssign = 2;   // 0 -> worker: unit index, or -1 (no more work)
constexpr int kNoUnit = -1;

// MPI_Init once per process (MPI_Finalize at exit, after the last call).
void ensure_mpi() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw Error("--mpi: MPI_Init failed (run under mpirun or srun)");
  std::atexit([] {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  });
}

// status codes in messages
int status_code(const std::string& s) { return s == "generated" ? 0 : s == "skipped" ? 1 : 2; }
const char* status_name(int c) { return c == 0 ? "generated" : c == 1 ? "skipped" : "failed"; }

// Rank 0: answers requests until every worker has been told to stop. It polls (MPI_Iprobe and a short
// sleep) rather than blocking in MPI_Recv, which busy-waits in OpenMPI and would take a core from a worker.
std::vector<UnitOutcome> dispatch(const DatasetPlan& plan, const fs::path& dir, int size,
                                  const DatasetRunOptions& options) {
  std::vector<size_t> order(plan.units.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return plan.units[a].cost > plan.units[b].cost; });
  std::vector<size_t> todo;  // finished files are not handed out (a worker would only skip them)
  std::vector<UnitOutcome> outcomes;
  for (size_t u : order) {
    if (!fs::exists(dir / plan.units[u].file())) {
      todo.push_back(u);
      continue;
    }
    UnitOutcome skipped;
    skipped.unit = u;
    skipped.status = "skipped";
    outcomes.push_back(skipped);
  }
  size_t next = 0;
  int stopped = 0;
  while (stopped < size - 1) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    long msg[4];
    MPI_Recv(msg, 4, MPI_LONG, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (msg[0] != kNoUnit) {
      UnitOutcome o;
      o.unit = static_cast<size_t>(msg[0]);
      o.status = status_name(static_cast<int>(msg[1]));
      o.grasps = static_cast<int>(msg[2]);
      o.valid = static_cast<int>(msg[3]);
      if (o.status == "failed") {  // the worker recorded its error next to the files
        try {
          o.error = read_json_file(unit_record_path(dir, plan.units[o.unit], true)).value("error", "");
        } catch (const Error&) {
        }
      }
      if (options.on_unit) options.on_unit(o);
      outcomes.push_back(o);
    }
    long assign = next < todo.size() ? static_cast<long>(todo[next++]) : kNoUnit;
    if (assign == kNoUnit) ++stopped;
    MPI_Send(&assign, 1, MPI_LONG, st.MPI_SOURCE, kTagAssign, MPI_COMM_WORLD);
    if (options.progress) {
      DatasetRunProgress p;
      p.units_done = static_cast<int>(outcomes.size());
      p.units_total = static_cast<int>(plan.units.size());
      p.unit = assign == kNoUnit ? "" : plan.units[assign].id;
      options.progress(p);
    }
  }
  return outcomes;
}

std::vector<UnitOutcome> work(const DatasetPlan& plan, const fs::path& dir, const DatasetRunOptions& options) {
  std::vector<UnitOutcome> mine;
  long msg[4] = {kNoUnit, 0, 0, -1};
  DatasetRunOptions quiet = options;
  quiet.progress = {};  // rank 0 shows the progress
  quiet.on_unit = {};
  dataset_detail::HandCache hands;
  for (;;) {
    MPI_Send(msg, 4, MPI_LONG, 0, kTagRequest, MPI_COMM_WORLD);
    long unit = kNoUnit;
    MPI_Recv(&unit, 1, MPI_LONG, 0, kTagAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (unit == kNoUnit) break;
    const UnitOutcome o = dataset_detail::run_units(dir, plan, {static_cast<size_t>(unit)}, quiet, hands).front();
    mine.push_back(o);
    msg[0] = unit;
    msg[1] = status_code(o.status);
    msg[2] = o.grasps;
    msg[3] = o.valid;
  }
  return mine;
}

}  // namespace

std::vector<UnitOutcome> run_dataset_mpi(const fs::path& dir, const DatasetPlan& plan, const DatasetRunOptions& options,
                                         int* rank_out) {
  ensure_mpi();
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank_out) *rank_out = rank;
  if (size == 1) {  // nobody to hand out to: run everything here
    std::vector<size_t> all(plan.units.size());
    std::iota(all.begin(), all.end(), size_t{0});
    return run_dataset_units(dir, plan, all, options);
  }
  std::vector<UnitOutcome> outcomes = rank == 0 ? dispatch(plan, dir, size, options) : work(plan, dir, options);
  MPI_Barrier(MPI_COMM_WORLD);
  return outcomes;
}

}  // namespace graspqp
