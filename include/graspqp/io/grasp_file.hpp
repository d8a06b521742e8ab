#pragma once
// Per-object grasp dataset stored as HDF5 (format "graspqp-grasps", version 1; see docs/format.md).
// Files are written atomically, so an existing file is either the old or the new complete version.
#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace graspqp {

struct GraspDataset {
  template <typename T>
  using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // N grasps, DOF joints, n contacts per grasp, k energy terms.
  // Hand base pose in the object frame: x, y, z, qw, qx, qy, qz (w >= 0).
  Eigen::Matrix<double, Eigen::Dynamic, 7, Eigen::RowMajor> root_pose;  // N x 7
  RowMajorMatrix<double> joints;                                        // N x DOF
  std::vector<std::string> joint_names;                                 // DOF
  Eigen::VectorXd energy;                                               // N
  RowMajorMatrix<double> energy_terms;                                  // N x k (unweighted)
  std::vector<std::string> energy_term_names;                           // k
  RowMajorMatrix<int32_t> contact_idx;                                  // N x n
  std::vector<double> contact_points;                                   // N*n*3 flattened row-major, object frame
  std::vector<double> contact_normals;     // N*n*3, object's outward normal at each contact
  std::vector<std::string> contact_links;  // N*n link names
  RowMajorMatrix<double> contact_forces;   // N x n
  RowMajorMatrix<double> closing_delta;    // N x DOF
  // Optional (empty: not in the file): the hand opened before the grasp and closed into the object after it,
  // N x DOF each, in joint_names order (docs/format.md: how generate derives them).
  RowMajorMatrix<double> pregrasp_joints, squeeze_joints;
  // Optional per-grasp extra datasets (e.g. "valid" flags): name -> N values.
  std::map<std::string, Eigen::VectorXd> extra;

  // Attributes.
  std::string hand, grasp_type, energy_name, object_path, object_sha256, program_version;
  double scale = 1.0;
  Eigen::Vector3d object_center = Eigen::Vector3d::Zero();
  std::string parameters_json;  // all generation parameters as one JSON string
  uint64_t seed = 0;

  int n_grasps() const { return static_cast<int>(root_pose.rows()); }
  int dof() const { return static_cast<int>(joints.cols()); }
  int n_contacts() const { return static_cast<int>(contact_idx.cols()); }
  // True when the optional pregrasp and squeeze poses are both present with one row per grasp and one
  // column per joint (the reader and writer refuse one without the other).
  bool has_poses() const {
    return n_grasps() > 0 && pregrasp_joints.rows() == n_grasps() && pregrasp_joints.cols() == dof() &&
           squeeze_joints.rows() == n_grasps() && squeeze_joints.cols() == dof();
  }
};

// Validates all shapes against n_grasps()/dof()/n_contacts() and that every number is finite first
// (graspqp::Error naming the path and the offending field; nothing is written then), then writes the file
// atomically.
void write_grasp_file(const std::filesystem::path& path, const GraspDataset& d);

// Reads a whole file. Errors: "<path>: file not found", "<path>: not an HDF5 file",
// "<path>: not a graspqp grasp file (missing X)", shape/type mismatches, newer format_version, a NaN or
// infinity ("<path>: energy holds a non-finite value (entry 3)"; the writer refuses them too).
GraspDataset read_grasp_file(const std::filesystem::path& path);

// Cheap read of the root attributes only (hand, grasp_type, energy_name, object_path, object_sha256,
// program_version, scale, object_center, parameters_json, seed), e.g. for resume checks. All array
// fields are left empty (n_grasps() == 0 regardless of the file's content).
GraspDataset read_grasp_file_attributes(const std::filesystem::path& path);

}  // namespace graspqp
