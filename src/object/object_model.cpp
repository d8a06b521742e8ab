#include <graspqp/error.hpp>
#include <graspqp/geometry/orientation.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/object/object_model.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <map>

namespace graspqp {

void PointGrid::build(const std::vector<Vec3>& points, double cell_size, int cells_per_block) {
  Eigen::AlignedBox3d box;
  for (const auto& p : points) box.extend(p);
  const Vec3 origin = box.min() - Vec3::Constant(1e-9);
  // Group point indices by (block, cell) key; ordered map: deterministic order, cells of a block contiguous.
  using Key = std::array<int, 6>;
  std::map<Key, std::vector<int>> groups;
  for (size_t i = 0; i < points.size(); ++i) {
    const Eigen::Array3i c = ((points[i] - origin) / cell_size).array().floor().cast<int>();
    const Eigen::Array3i b = c / cells_per_block;
    groups[{b.x(), b.y(), b.z(), c.x(), c.y(), c.z()}].push_back(static_cast<int>(i));
  }
  cells.clear();
  blocks.clear();
  index.clear();
  std::array<int, 3> current_block{INT32_MIN, 0, 0};
  for (const auto& [key, members] : groups) {
    const std::array<int, 3> block_key{key[0], key[1], key[2]};
    if (block_key != current_block) {
      blocks.push_back(Cell{Vec3::Zero(), 0, static_cast<int>(cells.size()), static_cast<int>(cells.size())});
      current_block = block_key;
    }
    ++blocks.back().end;
    Cell cell;
    cell.begin = static_cast<int>(index.size());
    Eigen::AlignedBox3d b;
    for (int i : members) {
      index.push_back(i);
      b.extend(points[i]);
    }
    cell.end = static_cast<int>(index.size());
    cell.centre = b.center();
    cell.radius = 0;
    for (int i : members) cell.radius = std::max(cell.radius, (points[i] - cell.centre).norm());
    cells.push_back(cell);
  }
  // Block spheres enclose their cells' spheres.
  for (Cell& b : blocks) {
    Eigen::AlignedBox3d bb;
    for (int c = b.begin; c < b.end; ++c) bb.extend(cells[c].centre);
    b.centre = bb.center();
    b.radius = 0;
    for (int c = b.begin; c < b.end; ++c)
      b.radius = std::max(b.radius, (cells[c].centre - b.centre).norm() + cells[c].radius);
  }
}

ObjectModel load_object(const std::filesystem::path& path, const ObjectLoadOptions& options) {
  if (!(options.scale > 0) || !std::isfinite(options.scale))
    throw Error(path.string() + ": scale must be positive and finite");
  ObjectModel obj;
  obj.path = path;
  obj.name = path.stem().string();
  obj.scale = options.scale;
  obj.mesh = load_mesh(path, Vec3::Constant(options.scale));
  orient_outward(obj.mesh);
  if (obj.mesh.faces.size() < 4) throw Error(path.string() + ": the mesh has fewer than 4 triangles");
  const Eigen::AlignedBox3d box = obj.mesh.bounding_box();
  const Vec3 size = box.sizes();
  if (size.minCoeff() < 1e-4 * std::max(size.maxCoeff(), 1e-12))
    throw Error(path.string() + ": degenerate object (flat: its extent along one axis is zero)");
  obj.sha256 = sha256_file(path);
  obj.sdf = std::make_shared<SignedDistanceField>(obj.mesh);
  if (options.culling_grid) obj.coarse_sdf = std::make_shared<DistanceGrid>(*obj.sdf, 48, 0.01);
  try {
    obj.hull = convex_hull(obj.mesh.vertices);
  } catch (const Error& e) {
    throw Error(path.string() + ": degenerate object (" + e.what() + ")");
  }

  // Dense area-uniform samples, then farthest-point sampling (reference §4.1: 100x oversampling).
  const int dense_n = std::max(options.surface_samples * 20, 10000);
  const auto dense = sample_surface(obj.mesh, dense_n, options.seed);
  std::vector<Vec3> dense_points;
  dense_points.reserve(dense.size());
  for (const auto& s : dense) dense_points.push_back(s.position);
  for (int i : farthest_point_sampling(dense_points, std::min<int>(options.surface_samples, dense_points.size()), 0))
    obj.surface_points.push_back(dense_points[i]);
  obj.center.setZero();
  for (const auto& p : obj.surface_points) obj.center += p;
  obj.center /= std::max<size_t>(1, obj.surface_points.size());
  for (const auto& v : obj.mesh.vertices) obj.radius = std::max(obj.radius, (v - obj.center).norm());
  obj.surface_grid.build(obj.surface_points, std::max(0.01, size.maxCoeff() / 12));
  return obj;
}

}  // namespace graspqp
