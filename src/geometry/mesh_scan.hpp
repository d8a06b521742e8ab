#pragma once
// The size of a mesh file before it is loaded (private to geometry/): what its header declares or its
// lines hold, from a streaming scan that keeps nothing in memory, so that load_mesh refuses an oversized
// mesh before assimp allocates anything for it.
#include <filesystem>
#include <string>

namespace graspqp::mesh_scan {

struct DeclaredSize {
  long long triangles = -1;  // -1: unknown (not a format the scan reads)
  long long vertices = -1;
  std::string problem;  // non-empty: the file is malformed in a way the importer does not survive
};

// OBJ: its `v` and `f` lines (an n-gon counts n - 2 triangles); STL: the binary header's count, or the
// ASCII file's facets; PLY: the header's `element vertex` and `element face` (a lower bound for polygons).
// Other extensions: unknown. Counts saturate at 2^62. A PLY header must be complete (up to end_header, with
// known property types) and a binary PLY's data at least as long as its header declares: assimp 5.2 reads
// past the end of such files.
DeclaredSize scan(const std::filesystem::path& path);

}  // namespace graspqp::mesh_scan
