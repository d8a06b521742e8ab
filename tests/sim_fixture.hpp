#pragma once
// Shared by the physics tests: a box, the Panda squeezing it with hand-made grasps, protocol options.
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/sim/evaluate.hpp>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace graspqp::test_sim {

namespace fs = std::filesystem;

inline fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("graspqp_test_sim_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline void write_obj(const fs::path& path, const TriangleMesh& m) {
  std::ofstream out(path);
  for (const auto& v : m.vertices) out << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
  for (const auto& f : m.faces) out << "f " << f[0] + 1 << " " << f[1] + 1 << " " << f[2] + 1 << "\n";
}

// A 4 x 1.6 x 4 cm box (y is the squeezing direction) centred at the object-frame origin. Thin enough that
// the wide-open gripper (pads at |y| = 4 cm) does not cage it within the 3 cm failure distance.
struct BoxFixture {
  fs::path dir, box;
  HandModel panda;
  ObjectModel object;
  BoxFixture() {
    dir = temp_dir("box");
    box = dir / "box.obj";
    write_obj(box, make_box(Vec3(0.04, 0.016, 0.04)));
    panda = load_hand("panda");
    ObjectLoadOptions lo;
    lo.surface_samples = 200;
    object = load_object(box, lo);
  }
  ~BoxFixture() { fs::remove_all(dir); }
};

inline BoxFixture& box_fixture() {
  static BoxFixture f;
  return f;
}

// One Panda grasp: hand frame at (0, 0, -0.03) + offset (the pads, at hand z 0.021-0.036, straddle the
// box's y faces), finger opening q (pad surface at |y| = q), closing delta dq.
inline GraspDataset panda_grasps(const std::vector<std::array<double, 3>>& rows) {
  GraspDataset d;
  const int n = static_cast<int>(rows.size());
  d.hand = "panda";
  d.grasp_type = "full";
  d.energy_name = "hand-made";
  d.root_pose.resize(n, 7);
  d.joints.resize(n, 1);
  d.closing_delta.resize(n, 1);
  d.joint_names = {"panda_finger_joint1"};
  d.contact_idx.resize(n, 2);
  for (int i = 0; i < n; ++i) {
    d.root_pose.row(i) << 0, 0, -0.03 - rows[i][2], 1, 0, 0, 0;
    d.joints(i, 0) = rows[i][0];
    d.closing_delta(i, 0) = rows[i][1];
    d.contact_idx(i, 0) = 2;
    d.contact_idx(i, 1) = 10;
  }
  d.energy = Eigen::VectorXd::Zero(n);
  return d;
}

inline const std::array<double, 3> kHold{0.0085, -0.01, 0.0};  // 0.5 mm gap per side, closing 1 cm
inline const std::array<double, 3> kOpen{0.04, -0.005, 0.0};   // fingers wide open, target still open
inline const std::array<double, 3> kFar{0.0085, -0.01, 0.05};  // the good grasp, hand 5 cm further back

inline EvalOptions options_for(const std::string& protocol, int threads = 2) {
  EvalOptions o;
  o.protocol = make_protocol(protocol);
  o.threads = threads;
  o.analytic_metrics = false;
  return o;
}

}  // namespace graspqp::test_sim
