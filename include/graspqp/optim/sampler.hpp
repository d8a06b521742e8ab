#pragma once
// MALA* (reference §5.1, the paper's population-aware annealed sampler) and the DexGraspNet annealing
// baseline (§5.2), for the batch of samples of ONE object. Statistics that couple samples (the
// RMSProp-style gradient scale, the energy z-scores used for temperature and resets) are taken over
// the samples of that object only, so an object's result does not depend on what else runs.
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/optim/initialization.hpp>

#include <functional>

namespace graspqp {

enum class SamplerKind { MalaStar, Annealing };
SamplerKind parse_sampler_kind(const std::string& name);  // "mala-star" | "annealing"
std::string to_string(SamplerKind kind);

struct SamplerOptions {
  SamplerKind kind = SamplerKind::MalaStar;
  int iterations = 7000;
  double step_size = 0.005;     // eta0
  int step_period = 50;         // step size decays by `decay` every step_period steps of a sample
  double temperature = 18.0;    // T0
  int temperature_period = 30;  // temperature decays by `decay` every temperature_period steps
  double decay = 0.95;
  double ema_weight = 0.98;  // weight of the new mean squared gradient (reference "mu")
  double switch_probability = 0.4;
  int reset_period = 600;    // MALA*: reset samples with z > z_threshold every reset_period steps
  double z_threshold = 1.0;  //        (never in the last 2 * reset_period steps)
  double langevin = 0.0;     // optional Langevin noise scale (0: off, as the reference)
  int freeze_after = 0;      // MALA*: a sample stops (until a reset) after this many own steps; 0: never
  // Each sample remembers what lies near its links between steps (energy/near_sets.hpp). Exact: the
  // samples are the same bit for bit with it off; off only to measure what it saves.
  bool near_sets = true;
};

struct Sample {
  Eigen::VectorXd x;
  std::vector<int> contacts;
  double energy = 0;
  EnergyTerms terms;
  Eigen::VectorXd grad;
  Eigen::VectorXd ema;  // RMSProp second-moment estimate
  int step = 0;         // per-sample step counter (restarts at a reset)
  Rng rng;
};

struct SamplerStats {
  long accepted = 0, proposed = 0, resets = 0;
  long frozen_steps = 0;                    // sample-steps skipped by freeze_after
  double energy_seconds = 0;                // thread time in grasp_energy, summed over threads
  long near_searches = 0, near_reuses = 0;  // link broad phases searched afresh / remembered (NearSets)
};

struct SamplerProgress {
  int iteration = 0, iterations = 0;
  double best = 0, mean = 0;
};

// Runs the sampler for n_samples samples of one object; `seed` should already mix in the object
// identity. Samples are evaluated in parallel (TBB, bounded by the caller's task arena);
// results are identical for any thread count. `progress` (optional) is called every few iterations.
std::vector<Sample> run_sampler(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                                const EnergyConfig& energy, const SamplerOptions& options, const InitOptions& init,
                                int n_samples, int n_contacts, std::uint64_t seed,
                                const std::function<void(const SamplerProgress&)>& progress = {},
                                SamplerStats* stats = nullptr);

}  // namespace graspqp
