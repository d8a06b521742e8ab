#include <graspqp/error.hpp>
#include <graspqp/optim/sampler.hpp>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cmath>

namespace graspqp {

SamplerKind parse_sampler_kind(const std::string& name) {
  if (name == "mala-star" || name == "mala_star") return SamplerKind::MalaStar;
  if (name == "annealing" || name == "dexgraspnet") return SamplerKind::Annealing;
  throw Error("unknown optimizer '" + name + "' (known: mala-star, annealing)");
}

std::string to_string(SamplerKind kind) { return kind == SamplerKind::MalaStar ? "mala-star" : "annealing"; }

namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Per-object z-scores of the energies (unbiased std, as the reference); 0 when undefined (one sample,
// or all energies equal) instead of the reference's NaN.
std::vector<double> z_scores(const std::vector<Sample>& samples) {
  const size_t n = samples.size();
  std::vector<double> z(n, 0.0);
  if (n < 2) return z;
  double mean = 0;
  for (const auto& s : samples) mean += s.energy;
  mean /= n;
  double var = 0;
  for (const auto& s : samples) var += (s.energy - mean) * (s.energy - mean);
  const double sd = std::sqrt(var / (n - 1));
  if (!(sd > 0) || !std::isfinite(sd)) return z;
  for (size_t b = 0; b < n; ++b) z[b] = (samples[b].energy - mean) / sd;
  return z;
}

}  // namespace

std::vector<Sample> run_sampler(const HandModel& hand, const GraspType& grasp_type, const ObjectModel& object,
                                const EnergyConfig& energy, const SamplerOptions& opt, const InitOptions& init,
                                int n_samples, int n_contacts, std::uint64_t seed,
                                const std::function<void(const SamplerProgress&)>& progress, SamplerStats* stats) {
  if (grasp_type.candidates.empty())
    throw Error("hand '" + hand.name + "' has no contact candidates for grasp type '" + grasp_type.name + "'");
  if (n_samples < 1 || n_contacts < 1) throw Error("the number of grasps and of contacts must be positive");
  const int D = hand.state_size();
  const int C = static_cast<int>(grasp_type.candidates.size());
  tbb::enumerable_thread_specific<EnergyWorkspace> workspaces([&] { return EnergyWorkspace(hand); });
  tbb::enumerable_thread_specific<double> energy_seconds(0.0);

  std::vector<Sample> samples(n_samples);
  const auto anchors = hull_anchors(object, n_samples, init, splitmix64(seed ^ 0xA11CE));
  for (int b = 0; b < n_samples; ++b) samples[b].rng = Rng(splitmix64(seed) + static_cast<std::uint64_t>(b));
  auto initialize = [&](Sample& s, const HullAnchor& anchor) {
    s.x = initial_state(hand, grasp_type, anchor, init, s.rng);
    s.contacts = random_contacts(C, n_contacts, s.rng);
    s.ema = Eigen::VectorXd::Zero(D);
    s.step = 0;
  };
  // Each sample remembers what lies near its links between its steps (exact: energy/near_sets.hpp).
  std::vector<NearSets> near(n_samples);
  auto evaluate = [&](Sample& s, int b) {
    EnergyWorkspace& ws = workspaces.local();
    const auto t0 = std::chrono::steady_clock::now();
    s.energy = grasp_energy(hand, grasp_type, object, energy, s.x, s.contacts, ws, s.terms, &s.grad,
                            opt.near_sets ? &near[b] : nullptr);
    energy_seconds.local() += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  tbb::parallel_for(0, n_samples, [&](int b) {
    initialize(samples[b], anchors[b]);
    evaluate(samples[b], b);
  });

  SamplerStats local_stats;
  Eigen::VectorXd mean_g2(D);
  const bool mala = opt.kind == SamplerKind::MalaStar;
  for (int t = 1; t <= opt.iterations; ++t) {
    // RMSProp-style second moment from the mean squared gradient over this object's samples.
    mean_g2.setZero();
    for (const auto& s : samples) mean_g2 += s.grad.cwiseAbs2();
    mean_g2 /= n_samples;
    for (auto& s : samples) {
      s.ema = opt.ema_weight * mean_g2 + (1.0 - opt.ema_weight) * s.ema;
      for (int i = 0; i < D; ++i)
        if (!std::isfinite(s.ema[i])) s.ema[i] = 0;
    }
    const std::vector<double> z = mala ? z_scores(samples) : std::vector<double>(n_samples, 0.0);
    std::vector<char> reset(n_samples, 0);
    std::vector<HullAnchor> reset_anchors;
    if (mala && opt.reset_period > 0 && t % opt.reset_period == 0 && t < opt.iterations - 2 * opt.reset_period) {
      bool any = false;
      for (int b = 0; b < n_samples; ++b) any |= (reset[b] = z[b] > opt.z_threshold);
      if (any) reset_anchors = hull_anchors(object, n_samples, init, splitmix64(seed ^ static_cast<std::uint64_t>(t)));
    }

    std::vector<char> accepted(n_samples, 0), frozen(n_samples, 0);
    tbb::parallel_for(0, n_samples, [&](int b) {
      Sample& s = samples[b];
      // A sample whose own schedule has run freeze_after steps has converged (step size and temperature
      // are a few per cent of their start): it keeps its state until a reset restarts it.
      if (!reset[b] && mala && opt.freeze_after > 0 && s.step >= opt.freeze_after) {
        frozen[b] = 1;
        return;
      }
      if (reset[b]) {
        // Re-initialized samples restart their schedules and are accepted unconditionally.
        initialize(s, reset_anchors[b]);
        evaluate(s, b);
        accepted[b] = 1;
        return;
      }
      Sample proposal = s;
      const int k = mala ? s.step : t - 1;  // annealing: one global schedule
      const double step = opt.step_size * std::pow(opt.decay, std::floor(k / opt.step_period));
      for (int i = 0; i < D; ++i) {
        const double scale = 1.0 / (std::sqrt(s.ema[i]) + 1e-6);
        proposal.x[i] -= step * s.grad[i] * scale;
        if (opt.langevin > 0) proposal.x[i] += opt.langevin * std::sqrt(2.0 * step * scale) * proposal.rng.normal();
      }
      for (int& c : proposal.contacts)
        if (proposal.rng.uniform() < opt.switch_probability) c = proposal.rng.uniform_int(C);
      proposal.step = s.step + 1;
      const double u = proposal.rng.uniform();
      bool ok = proposal.x.allFinite();
      if (ok) {
        try {
          evaluate(proposal, b);
        } catch (const Error&) {  // degenerate rotation: reject the proposal
          ok = false;
        }
      }
      ok = ok && std::isfinite(proposal.energy) && proposal.grad.allFinite();
      const int kt = mala ? proposal.step : t;
      double temperature = opt.temperature * std::pow(opt.decay, std::floor(kt / opt.temperature_period));
      if (mala) temperature *= 1.0 + normal_cdf(z[b]);
      if (ok && u < std::exp((s.energy - proposal.energy) / temperature)) {
        s = std::move(proposal);
        accepted[b] = 1;
      } else {
        // Rejected: keep the state, advance the schedule and the random stream.
        s.step = proposal.step;
        s.rng = proposal.rng;
      }
    });
    for (int b = 0; b < n_samples; ++b) {
      local_stats.proposed += !reset[b] && !frozen[b];
      local_stats.frozen_steps += frozen[b];
      local_stats.accepted += accepted[b] && !reset[b];
      local_stats.resets += reset[b];
    }
    if (progress && (t % 25 == 0 || t == opt.iterations)) {
      SamplerProgress p{t, opt.iterations, samples[0].energy, 0};
      for (const auto& s : samples) {
        p.best = std::min(p.best, s.energy);
        p.mean += s.energy / n_samples;
      }
      progress(p);
    }
  }
  for (double sec : energy_seconds) local_stats.energy_seconds += sec;
  for (const NearSets& n : near) {
    local_stats.near_searches += n.searches;
    local_stats.near_reuses += n.reuses;
  }
  if (stats) *stats = local_stats;
  return samples;
}

}  // namespace graspqp
