// Step 3 of `graspqp hand init`: self-collision spheres (greedy cover of each link's outer surface,
// then shrinking of spheres that overlap between non-adjacent links) and the sphere coverage measure.
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/onboard/link_solid.hpp>
#include <graspqp/onboard/sphere_fit.hpp>

#include <algorithm>
#include <bit>
#include <map>
#include <random>
#include <set>

#include "internal.hpp"

namespace graspqp {

using onboard_detail::fk_at;
using onboard_detail::mid_range;

double sphere_coverage(const HandModel& model, int link, const std::vector<CollisionSphere>& spheres, double tolerance,
                       int samples, std::uint64_t seed) {
  if (link < 0 || link >= static_cast<int>(model.links.size()) || model.links[link].collision_mesh.empty()) return 0;
  const LinkSolid solid(model.links[link].collision_mesh);
  const auto pts = solid.outer_samples(samples, seed);
  if (pts.empty()) return 0;
  int covered = 0;
  for (const auto& [p, n] : pts)
    for (const auto& s : spheres)
      if (s.link == link && (p - s.center).norm() <= s.radius + tolerance) {
        ++covered;
        break;
      }
  return static_cast<double>(covered) / pts.size();
}

std::vector<LinkSpheres> fit_collision_spheres(const HandModel& model, const SphereFitOptions& o) {
  std::vector<LinkSpheres> out;
  for (size_t l = 0; l < model.links.size(); ++l) {
    const LinkModel& link = model.links[l];
    if (link.collision_mesh.empty()) continue;
    const LinkSolid solid(link.collision_mesh);
    const auto samples = solid.outer_samples(o.samples, o.seed);
    if (samples.empty()) continue;
    const double extent = link.collision_box.sizes().maxCoeff();

    // Candidate centres: interior grid points and medial points.
    std::vector<std::pair<Vec3, double>> cands;  // centre, depth
    const double h = std::max(extent / 12.0, 5e-4);
    const Vec3 lo = link.collision_box.min();
    const Eigen::Vector3i cells = (link.collision_box.sizes() / h).array().ceil().cast<int>().cwiseMax(1);
    for (int i = 0; i < cells.x(); ++i)
      for (int j = 0; j < cells.y(); ++j)
        for (int k = 0; k < cells.z(); ++k) {
          const Vec3 p = lo + h * Vec3(i + 0.5, j + 0.5, k + 0.5);
          const double d = solid.depth(p);
          if (d > 2.5e-4) cands.emplace_back(p, d);
        }
    const double step = std::max(2e-4, extent / 400.0);
    const int stride = std::max<int>(1, static_cast<int>(samples.size()) / 200);
    for (size_t i = 0; i < samples.size(); i += stride) {
      const auto& [p, n] = samples[i];
      double best = 0, best_t = 0;
      for (double t = step; t <= extent; t += step) {
        const double d = solid.depth(p - t * n);
        if (d > best) {
          best = d;
          best_t = t;
        } else if (d < best - 2 * step || d < -step) {
          break;
        }
      }
      if (best > 2.5e-4) {
        cands.emplace_back(p - best_t * n, best);
        const Vec3 half = p - 0.5 * best_t * n;
        const double dh = solid.depth(half);
        if (dh > 2.5e-4) cands.emplace_back(half, dh);
      }
    }
    if (cands.empty()) continue;

    // Coverage bitsets.
    const size_t M = samples.size(), W = (M + 63) / 64;
    std::vector<std::vector<std::uint64_t>> cover(cands.size(), std::vector<std::uint64_t>(W, 0));
    for (size_t c = 0; c < cands.size(); ++c) {
      const double r = cands[c].second + o.margin + o.tolerance;
      for (size_t s = 0; s < M; ++s)
        if ((samples[s].first - cands[c].first).squaredNorm() <= r * r)
          cover[c][s / 64] |= std::uint64_t(1) << (s % 64);
    }
    std::vector<std::uint64_t> covered(W, 0);
    size_t n_covered = 0;
    LinkSpheres ls;
    ls.link = static_cast<int>(l);
    while (static_cast<int>(ls.spheres.size()) < o.max_spheres_per_link &&
           n_covered < static_cast<size_t>(o.target_coverage * M)) {
      size_t best_c = 0, best_gain = 0;
      for (size_t c = 0; c < cands.size(); ++c) {
        size_t gain = 0;
        for (size_t w = 0; w < W; ++w) gain += std::popcount(cover[c][w] & ~covered[w]);
        if (gain > best_gain) {
          best_gain = gain;
          best_c = c;
        }
      }
      if (best_gain == 0 || best_gain < 0.005 * M) break;
      for (size_t w = 0; w < W; ++w) covered[w] |= cover[best_c][w];
      n_covered += best_gain;
      CollisionSphere sp;
      sp.link = static_cast<int>(l);
      sp.center = cands[best_c].first;
      sp.radius = cands[best_c].second + o.margin;
      ls.spheres.push_back(sp);
    }
    if (!ls.spheres.empty()) out.push_back(std::move(ls));
  }

  if (o.resolve_default_pose) {
    // Spheres of non-adjacent links that overlap at the default pose are shrunk until they do not. Link pairs
    // whose spheres overlap at every sampled pose of the joint range are structural neighbours (e.g. the two
    // halves of a four-bar linkage, pinned together): their spheres are kept apart over the whole range too.
    struct Ref {
      size_t set, k;
    };
    std::vector<Ref> all;
    for (size_t i = 0; i < out.size(); ++i)
      for (size_t k = 0; k < out[i].spheres.size(); ++k) all.push_back({i, k});
    auto sphere = [&](const Ref& r) -> CollisionSphere& { return out[r.set].spheres[r.k]; };
    auto counted = [&](int a, int b) { return a != b && model.links[a].parent != b && model.links[b].parent != a; };
    std::vector<Eigen::VectorXd> poses{model.default_joints(), model.lower_limits(), model.upper_limits(),
                                       mid_range(model)};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> u(0, 1);
    for (int k = 0; k < 16; ++k) {
      Eigen::VectorXd q(model.dof());
      for (int j = 0; j < model.dof(); ++j)
        q[j] = model.joints[j].lower + u(rng) * (model.joints[j].upper - model.joints[j].lower);
      poses.push_back(q);
    }
    HandData data(model);
    // Link pairs overlapping at every pose (fitted radii).
    std::map<std::pair<int, int>, int> overlapping;
    for (const auto& q : poses) {
      fk_at(model, q, data);
      std::set<std::pair<int, int>> here;
      for (size_t a = 0; a < all.size(); ++a)
        for (size_t b = a + 1; b < all.size(); ++b) {
          const auto &sa = sphere(all[a]), &sb = sphere(all[b]);
          if (!counted(sa.link, sb.link)) continue;
          if ((data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm() < sa.radius + sb.radius)
            here.insert({std::min(sa.link, sb.link), std::max(sa.link, sb.link)});
        }
      for (const auto& p : here) ++overlapping[p];
    }
    std::set<std::pair<int, int>> structural;
    for (const auto& [p, n] : overlapping)
      if (n == static_cast<int>(poses.size())) structural.insert(p);
    auto resolve = [&](const Eigen::VectorXd& q, bool only_structural) {
      fk_at(model, q, data);
      for (int iter = 0; iter < 200; ++iter) {
        bool any = false;
        for (size_t a = 0; a < all.size(); ++a)
          for (size_t b = a + 1; b < all.size(); ++b) {
            auto& sa = sphere(all[a]);
            auto& sb = sphere(all[b]);
            if (!counted(sa.link, sb.link)) continue;
            if (only_structural && !structural.count({std::min(sa.link, sb.link), std::max(sa.link, sb.link)}))
              continue;
            if (sa.radius <= 0 || sb.radius <= 0) continue;
            const double dist = (data.to_world(sa.link, sa.center) - data.to_world(sb.link, sb.center)).norm();
            const double overlap = sa.radius + sb.radius - dist;
            if (overlap <= 0) continue;
            any = true;
            sa.radius -= 0.5 * overlap + 1e-4;
            sb.radius -= 0.5 * overlap + 1e-4;
          }
        if (!any) break;
      }
    };
    resolve(model.default_joints(), false);
    if (!structural.empty()) {
      for (size_t k = 1; k < poses.size(); ++k) resolve(poses[k], true);
      resolve(model.default_joints(), false);
    }
  }
  for (auto& ls : out) {
    ls.spheres.erase(std::remove_if(ls.spheres.begin(), ls.spheres.end(),
                                    [&](const CollisionSphere& s) { return s.radius < o.min_radius; }),
                     ls.spheres.end());
    ls.coverage = sphere_coverage(model, ls.link, ls.spheres, o.tolerance);
    // Spheres squeezed to almost nothing by their neighbours do not represent the link: drop them.
    if (ls.coverage < 0.1) ls.spheres.clear();
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const LinkSpheres& s) { return s.spheres.empty(); }), out.end());
  return out;
}

}  // namespace graspqp
