#include <graspqp/geometry/orientation.hpp>

#include <queue>
#include <unordered_map>

namespace graspqp {

double signed_volume(const TriangleMesh& mesh) {
  double v = 0;
  for (const auto& f : mesh.faces) v += mesh.vertices[f[0]].dot(mesh.vertices[f[1]].cross(mesh.vertices[f[2]]));
  return v / 6.0;
}

int orient_outward(TriangleMesh& mesh) {
  const int nf = static_cast<int>(mesh.faces.size());
  auto key = [](int a, int b) {
    return (static_cast<std::uint64_t>(std::min(a, b)) << 32) | static_cast<std::uint32_t>(std::max(a, b));
  };
  std::unordered_map<std::uint64_t, std::vector<int>> edge_faces;
  edge_faces.reserve(nf * 2);
  for (int f = 0; f < nf; ++f)
    for (int k = 0; k < 3; ++k) edge_faces[key(mesh.faces[f][k], mesh.faces[f][(k + 1) % 3])].push_back(f);
  // Does face f traverse the edge a->b in this direction?
  auto has_directed = [&](int f, int a, int b) {
    for (int k = 0; k < 3; ++k)
      if (mesh.faces[f][k] == a && mesh.faces[f][(k + 1) % 3] == b) return true;
    return false;
  };
  std::vector<char> flipped(nf, 0);
  std::vector<int> component(nf, -1);
  int n_components = 0;
  for (int seed = 0; seed < nf; ++seed) {
    if (component[seed] >= 0) continue;
    std::queue<int> todo;
    todo.push(seed);
    component[seed] = n_components;
    while (!todo.empty()) {
      const int f = todo.front();
      todo.pop();
      for (int k = 0; k < 3; ++k) {
        const int a = mesh.faces[f][k], b = mesh.faces[f][(k + 1) % 3];
        const auto& faces = edge_faces[key(a, b)];
        if (faces.size() != 2) continue;  // boundary or non-manifold: no orientation constraint
        const int g = faces[0] == f ? faces[1] : faces[0];
        if (component[g] >= 0) continue;
        // Consistent neighbours traverse the shared edge in opposite directions.
        if (has_directed(g, a, b)) {
          std::swap(mesh.faces[g][1], mesh.faces[g][2]);
          flipped[g] ^= 1;
        }
        component[g] = n_components;
        todo.push(g);
      }
    }
    ++n_components;
  }
  std::vector<double> volume(n_components, 0.0);
  for (int f = 0; f < nf; ++f) {
    const auto& t = mesh.faces[f];
    volume[component[f]] += mesh.vertices[t[0]].dot(mesh.vertices[t[1]].cross(mesh.vertices[t[2]]));
  }
  for (int f = 0; f < nf; ++f)
    if (volume[component[f]] < 0) {
      std::swap(mesh.faces[f][1], mesh.faces[f][2]);
      flipped[f] ^= 1;
    }
  int count = 0;
  for (char c : flipped) count += c;
  return count;
}

}  // namespace graspqp
