#pragma once
// A small glTF 2.0 binary (.glb) writer: one buffer, triangle meshes with POSITION/NORMAL/indices,
// line meshes with POSITION/COLOR_0, PBR metallic-roughness materials, a flat list of nodes with
// translation/rotation/scale and `extras`, and one scene holding every node at its root.
//
// glTF is Y-up; graspqp's object frame is treated as Z-up. kZUpToYUp maps (x, y, z) to (x, z, -y);
// the scene builders (view/scene.hpp) apply it to every node so that any glTF viewer shows the
// object upright.
#include <graspqp/geometry/mesh.hpp>

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace graspqp::view {

// Rotation taking graspqp's Z-up object frame to glTF's Y-up frame: (x, y, z) -> (x, z, -y).
Mat3 z_up_to_y_up();

// Triangle mesh ready for rendering: float positions and normals, one normal per vertex corner
// group (vertices on edges sharper than the crease angle are split so that hard edges stay hard).
struct RenderMesh {
  std::vector<float> positions;   // 3 per vertex
  std::vector<float> normals;     // 3 per vertex, unit
  std::vector<uint32_t> indices;  // 3 per triangle, counter-clockwise from outside
  size_t vertex_count() const { return positions.size() / 3; }
  size_t triangle_count() const { return indices.size() / 3; }
};

// Builds a RenderMesh from a TriangleMesh: corner normals are the angle-weighted average of the
// normals of the faces around the vertex within `crease_deg` of the corner's face.
RenderMesh make_render_mesh(const TriangleMesh& mesh, double crease_deg = 35.0);

// Reduces a mesh to at most about `max_triangles` triangles by vertex clustering on a uniform grid
// (coarse but robust, keeps the outline). Returns the mesh unchanged when it is already small enough.
TriangleMesh simplify_mesh(const TriangleMesh& mesh, int max_triangles);

struct Material {
  std::string name;
  std::array<double, 4> color{0.8, 0.8, 0.8, 1.0};  // linear RGBA base colour
  double metallic = 0.0, roughness = 0.6;
  bool blend = false;  // alphaMode BLEND (else OPAQUE)
  bool double_sided = false;
  bool unlit = false;  // KHR_materials_unlit (used for lines and markers)
};

struct Node {
  std::string name;
  int mesh = -1;  // -1: no mesh
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();
  double scale = 1.0;
  nlohmann::json extras;  // null: none
};

class GltfBuilder {
 public:
  GltfBuilder();

  int add_material(const Material& m);
  // Vertex data of a triangle mesh stored once in the buffer; several meshes may share it.
  struct Geometry {
    int position = -1, normal = -1, indices = -1;  // accessor ids (-1: empty mesh)
  };
  Geometry add_geometry(const RenderMesh& mesh);
  // A mesh with one primitive per (geometry, material) pair; empty geometries are skipped.
  // Returns -1 when no primitive is left.
  int add_mesh(const std::string& name, const std::vector<std::pair<Geometry, int>>& primitives);
  int add_mesh(const std::string& name, const RenderMesh& mesh, int material) {
    return add_mesh(name, {{add_geometry(mesh), material}});
  }
  // A mesh drawn as GL_LINES: `points` holds 2 points per segment, `colors` one RGB per point.
  int add_lines(const std::string& name, const std::vector<Eigen::Vector3f>& points,
                const std::vector<Eigen::Vector3f>& colors, int material);
  int add_node(const Node& node);

  // Extra information stored under asset.extras / scene.extras.
  void set_asset_extras(const nlohmann::json& extras) { asset_extras_ = extras; }
  void set_scene_name(const std::string& name) { scene_name_ = name; }

  int node_count() const { return static_cast<int>(nodes_.size()); }
  int mesh_count() const { return static_cast<int>(meshes_.size()); }

  // The complete .glb file (12-byte header, JSON chunk padded with spaces, BIN chunk padded with zeros).
  std::string to_glb() const;
  nlohmann::json gltf_json() const;  // the JSON chunk's content

 private:
  int add_view(const void* data, size_t bytes, int target);
  int add_accessor(int view, int component_type, size_t count, const std::string& type,
                   const nlohmann::json& min = nullptr, const nlohmann::json& max = nullptr);

  std::vector<uint8_t> bin_;
  nlohmann::json buffer_views_ = nlohmann::json::array();
  nlohmann::json accessors_ = nlohmann::json::array();
  nlohmann::json meshes_ = nlohmann::json::array();
  nlohmann::json materials_ = nlohmann::json::array();
  nlohmann::json nodes_ = nlohmann::json::array();
  nlohmann::json asset_extras_;
  std::string scene_name_ = "scene";
  bool uses_unlit_ = false;
};

}  // namespace graspqp::view
