// `graspqp dataset plan | run | status | report`: a whole dataset as one job that any number of processes
// share (Slurm job arrays, srun, MPI). The work is in the library (dataset/dataset_*.hpp, report/).
#include <graspqp/dataset/dataset_run.hpp>
#include <graspqp/error.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "dataset_commands.hpp"
#include "progress.hpp"

namespace graspqp::cli {

namespace {

Handler add_plan(CLI::App& dataset) {
  auto* cmd = dataset.add_subcommand("plan", "Expand a dataset spec into units of work (DIR/manifest.json)");
  struct Opts {
    std::string spec, out;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--spec", o->spec, "Dataset spec (JSON; docs/cluster.md)")->required();
  cmd->add_option("--out", o->out, "Dataset folder")->required();
  cmd->add_flag("--force", o->force, "Replace a plan made from a different spec");
  return [o]() {
    const DatasetPlan plan = write_dataset_plan(o->spec, o->out, o->force);
    double cost = 0;
    for (const auto& u : plan.units) cost += u.cost;
    std::printf("%zu units planned (total cost %.3g) in %s/manifest.json\n", plan.units.size(), cost, o->out.c_str());
    std::printf("next: graspqp dataset run %s [--shard K/N]   (or sbatch --array, srun, mpirun ... --mpi)\n",
                o->out.c_str());
    return 0;
  };
}

Handler add_run(CLI::App& dataset) {
  auto* cmd = dataset.add_subcommand("run", "Run the units of one shard (finished units are skipped)");
  struct Opts {
    std::string dir, shard;
    int threads = 0;
    bool mpi = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("dir", o->dir, "Dataset folder (from dataset plan)")->required();
  cmd->add_option("--shard", o->shard,
                  "K/N: run shard K of N (default: from SLURM_ARRAY_TASK_ID, SLURM_PROCID or the MPI rank, else 0/1)");
  cmd->add_option("--threads", o->threads, "Worker threads (0: all cores); results do not depend on it")
      ->capture_default_str();
  cmd->add_flag("--mpi", o->mpi, "Under mpirun: rank 0 hands out units, largest first, to the other ranks");
  return [o]() {
    if (o->threads < 0)
      throw Error("--threads: " + std::to_string(o->threads) + " is out of range (allowed: at least 0)");
    if (o->mpi && !o->shard.empty()) throw Error("--shard and --mpi exclude each other (MPI hands units out itself)");
    const DatasetPlan plan = read_manifest(o->dir);
    DatasetRunOptions run;
    run.threads = o->threads;
    run.shard = o->shard.empty() ? shard_from_environment(::getenv) : parse_shard(o->shard);
    if (o->mpi) run.shard = {0, 1, "MPI"};
    const std::vector<size_t> units =
        o->mpi ? std::vector<size_t>{} : shard_units(plan, run.shard.index, run.shard.count);
    const int iters = std::max(1, plan.options.sampler.iterations);
    ProgressBar bar(static_cast<long>(o->mpi ? plan.units.size() : units.size()) * iters);
    run.progress = [&](const DatasetRunProgress& p) {
      char stage[160];
      std::snprintf(stage, sizeof stage, "unit %d/%d %-28.28s it %d/%d", std::min(p.units_done + 1, p.units_total),
                    p.units_total, p.unit.c_str(), p.sampler.iteration, p.sampler.iterations);
      bar.update(static_cast<long>(p.units_done) * iters + p.sampler.iteration, stage);
    };
    run.on_unit = [&](const UnitOutcome& u) {
      if (u.status == "failed") std::cerr << "graspqp: error: " << plan.units[u.unit].id << ": " << u.error << "\n";
    };
    const auto start = std::chrono::steady_clock::now();
    int rank = 0;
    const std::vector<UnitOutcome> outcomes =
        o->mpi ? run_dataset_mpi(o->dir, plan, run, &rank) : run_dataset_units(o->dir, plan, units, run);
    bar.finish();
    if (rank != 0) return 0;  // rank 0 reports for everyone
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int generated = 0, skipped = 0, failed = 0;
    long grasps = 0, valid = 0;
    for (const auto& u : outcomes) {
      (u.status == "generated" ? generated : u.status == "skipped" ? skipped : failed)++;
      if (u.status == "generated") grasps += u.grasps, valid += std::max(0, u.valid);
    }
    std::printf("%s %d/%d (%s): %d units generated, %d skipped (finished earlier), %d failed in %.1f s; %ld new grasps",
                o->mpi ? "mpi" : "shard", run.shard.index, run.shard.count, run.shard.source.c_str(), generated,
                skipped, failed, seconds, grasps);
    if (plan.options.validate) std::printf(", %ld valid", valid);
    std::printf("\nstatus: graspqp dataset status %s\n", o->dir.c_str());
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace

Handler add_dataset_command(CLI::App& app) {
  auto* dataset =
      app.add_subcommand("dataset", "Paper-scale dataset jobs: plan, run (Slurm arrays, srun, MPI), status, report");
  dataset->require_subcommand(1);
  std::vector<std::pair<CLI::App*, Handler>> verbs;
  auto add = [&](Handler (*adder)(CLI::App&)) {
    Handler h = adder(*dataset);
    verbs.emplace_back(dataset->get_subcommands({}).back(), h);
  };
  add(add_plan);
  add(add_run);
  add(add_dataset_status);
  add(add_dataset_report);
  return [verbs]() {
    for (const auto& [sub, handler] : verbs)
      if (sub->parsed()) return handler();
    return 1;
  };
}

}  // namespace graspqp::cli
