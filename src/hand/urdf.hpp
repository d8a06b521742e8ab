#pragma once
// Minimal URDF reader (tinyxml2): only what the kinematics and geometry need. Keeps the file order of
// joints, which defines the depth-first link order and thus the actuated joint order (urdfdom sorts
// joints by name, which would reorder the hands' joints).
#include <graspqp/geometry/mesh.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graspqp::urdf {

struct Geometry {
  enum class Kind { Mesh, Box, Cylinder, Sphere } kind = Kind::Mesh;
  Eigen::Isometry3d origin = Eigen::Isometry3d::Identity();
  std::string filename;  // for meshes, as written in the URDF
  Vec3 scale = Vec3::Ones();
  Vec3 size = Vec3::Zero();  // box
  double radius = 0, length = 0;
};

struct Link {
  std::string name;
  std::vector<Geometry> visuals, collisions;
};

struct Mimic {
  std::string joint;
  double multiplier = 1.0, offset = 0.0;
};

struct Joint {
  std::string name, type, parent, child;
  Eigen::Isometry3d origin = Eigen::Isometry3d::Identity();
  Vec3 axis = Vec3::UnitX();  // URDF default
  bool has_limits = false;
  double lower = 0, upper = 0;
  std::optional<Mimic> mimic;
};

struct Robot {
  std::string name;
  std::vector<Link> links;    // file order
  std::vector<Joint> joints;  // file order
};

// Throws graspqp::Error("<path>: <problem>") on unreadable or malformed files.
Robot parse_file(const std::filesystem::path& path);

// <inertial><mass value> of every link that has a finite positive one (empty if the file cannot be read).
std::map<std::string, double> link_masses(const std::filesystem::path& urdf_path);

// Finds a mesh named in a URDF or an annotation file: strips "package://<package>/", tries each base
// folder with the name, without its leading "../" folders, and finally the bare file name (the loader's
// and `hand check`'s shared rule). Empty when nothing is found.
std::filesystem::path resolve_asset(const std::string& filename, const std::vector<std::filesystem::path>& bases);
// The base folders resolve_asset searches for a hand folder's meshes, in order: `mesh_dir` (hand.json's
// "mesh_dir", relative to the hand folder), the URDF's folder, the hand folder (loader and `hand check`).
std::vector<std::filesystem::path> asset_bases(const std::filesystem::path& hand_dir,
                                               const std::filesystem::path& urdf_path, const std::string& mesh_dir);
Robot parse_string(const std::string& xml, const std::string& source_name);

Eigen::Isometry3d origin_from_xyz_rpy(const Vec3& xyz, const Vec3& rpy);

}  // namespace graspqp::urdf
