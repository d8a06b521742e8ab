#pragma once
// Shared by tests/test_view.cpp and tests/test_view_browser.cpp: a small synthetic grasp file (hand
// near the YCB mug, contacts at contact candidates) and helpers to run `graspqp view`.
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/grasp_file.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "test_util.hpp"

namespace graspqp::test {

// A fresh, empty folder under the system temp folder, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("graspqp_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline std::string mug_path() { return object_path("ycb/mug/textured.obj").string(); }

// N grasps of `hand` around the mug: the hand's approach axis points at the mug from different
// sides, joints at the default pose, n contacts at the first candidates of the "full" type, with
// contact forces whose shares differ (and all zero for the last grasp, when zero_forces_last).
inline GraspDataset synthetic_grasps(const HandModel& hand, int N = 3, int n = 4, bool zero_forces_last = true) {
  GraspDataset d;
  const int dof = hand.dof();
  d.hand = hand.name;
  d.grasp_type = "full";
  d.energy_name = "graspqp";
  d.object_path = mug_path();
  d.object_sha256 = "";
  d.scale = 1.0;
  d.object_center = Vec3(-0.01, 0.02, 0.035);
  d.parameters_json = R"({"force_closure_qp": {"friction": 0.4}})";
  d.program_version = "test";
  d.root_pose.resize(N, 7);
  d.joints.resize(N, dof);
  d.energy.resize(N);
  d.energy_terms.resize(N, 2);
  d.energy_term_names = {"E_dis", "E_fc"};
  d.contact_idx.resize(N, n);
  d.contact_forces.resize(N, n);
  d.closing_delta = GraspDataset::RowMajorMatrix<double>::Zero(N, dof);
  for (const auto& j : hand.joints) d.joint_names.push_back(j.name);
  Eigen::VectorXd valid(N);
  const GraspType& type = hand.grasp_type("full");
  HandData data(hand);
  for (int b = 0; b < N; ++b) {
    const double yaw = 2 * M_PI * b / N;
    const Vec3 toward(-std::cos(yaw), -std::sin(yaw), 0);  // from the hand to the mug
    // Hand rotation: approach axis -> toward, up axis -> world z.
    Mat3 Rh;
    Rh.col(0) = hand.approach_axis.normalized();
    Rh.col(1) = hand.up_axis.normalized();
    Rh.col(2) = Rh.col(0).cross(Rh.col(1));
    Mat3 Rw;
    Rw.col(0) = toward;
    Rw.col(1) = Vec3::UnitZ();
    Rw.col(2) = Rw.col(0).cross(Rw.col(1));
    const Mat3 R = Rw * Rh.transpose();
    const Vec3 t = d.object_center - 0.12 * toward;
    const Eigen::Quaterniond q(R);
    Eigen::Vector4d wxyz(q.w(), q.x(), q.y(), q.z());
    if (wxyz[0] < 0) wxyz = -wxyz;
    d.root_pose.row(b) << t.x(), t.y(), t.z(), wxyz[0], wxyz[1], wxyz[2], wxyz[3];
    d.joints.row(b) = hand.default_joints().transpose();
    d.energy[b] = 10.0 - 3.0 * b + (b == 0 ? 0.5 : 0.0);  // 10.5, 7, 4, ...: the last grasp is the best
    d.energy_terms.row(b) << 0.01 * (b + 1), 0.5 * (b + 1);
    valid[b] = b % 2 == 0;
    forward_kinematics(hand, make_state(t, R, hand.default_joints()), data);
    for (int k = 0; k < n; ++k) {
      const int c = (k * 7 + b) % static_cast<int>(type.candidates.size());
      const ContactCandidate& cc = type.candidates[c];
      const Vec3 p = data.to_world(cc.link, cc.position);
      const Vec3 nrm = (p - d.object_center).normalized();
      d.contact_idx(b, k) = c;
      for (int a = 0; a < 3; ++a) {
        d.contact_points.push_back(p[a]);
        d.contact_normals.push_back(nrm[a]);
      }
      d.contact_links.push_back(hand.links[cc.link].name);
      d.contact_forces(b, k) = (zero_forces_last && b == N - 1) ? 0.0 : 1.0 + k;
    }
  }
  d.extra["valid"] = valid;
  return d;
}

// Runs `graspqp view ARGS`; returns the exit code, stdout and stderr.
struct CliResult {
  int code;
  std::string out, err;
};
inline CliResult run_view(const std::string& args, const std::string& env = "") {
  CliResult r;
  r.code = run_command(env + (env.empty() ? "" : " ") + cli_path() + " view " + args, &r.out, &r.err);
  return r;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The JSON data embedded in a page written by `graspqp view`.
inline nlohmann::json page_data(const std::filesystem::path& html) {
  const std::string s = read_file(html);
  const std::string open = "<script type=\"application/json\" id=\"graspqp-data\">";
  const size_t a = s.find(open);
  if (a == std::string::npos) throw std::runtime_error("no graspqp-data element in " + html.string());
  const size_t b = s.find("</script>", a);
  return nlohmann::json::parse(s.substr(a + open.size(), b - a - open.size()));
}

}  // namespace graspqp::test
