// `graspqp hand check` in MuJoCo: the hand's simulation model compiles and holds the default pose under
// gravity in 4 orientations.
#include <graspqp/object/object_model.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <mujoco/mujoco.h>
#include <Eigen/Geometry>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>

#include "internal.hpp"

namespace fs = std::filesystem;

namespace graspqp::onboard_detail {

namespace {
// Distinct temporary box files for concurrent checks in one process.
std::atomic<int> box_counter{0};
}  // namespace

// A small box far away makes a full scene; the hand then has to hold its default pose.
void check_mujoco(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r) {
  const fs::path box = fs::temp_directory_path() / ("graspqp_hand_check_" + std::to_string(::getpid()) + "_" +
                                                    std::to_string(box_counter++) + ".obj");
  {
    std::ofstream f(box);
    const TriangleMesh m = make_box(Vec3(0.02, 0.02, 0.02));
    for (const auto& v : m.vertices) f << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
    for (const auto& fc : m.faces) f << "f " << fc[0] + 1 << " " << fc[1] + 1 << " " << fc[2] + 1 << "\n";
  }
  std::shared_ptr<const SimScene> scene;
  try {
    const ObjectModel object = load_object(box);
    SimProtocol p = make_protocol("graspqp");
    p.gravity = o.mujoco_gravity;
    SimSceneOptions so;
    so.cache_dir = o.cache_dir;
    scene = build_sim_scene(model, object, p, so);
  } catch (const std::exception& e) {
    fs::remove(box);
    r.add("mujoco", CheckLevel::Fail, std::string("the MuJoCo model does not compile: ") + e.what());
    return;
  }
  fs::remove(box);
  const mjModel* m = scene->model.get();
  mjData* d = mj_makeData(m);
  const Eigen::VectorXd q0 = model.default_joints();
  std::vector<double> jv;
  coupled_joint_values(model, q0, jv);
  // Hand frames with gravity along -z, +z, -x, -y of the hand: identity, and rotations about x and y.
  const std::vector<Eigen::Quaterniond> orientations{Eigen::Quaterniond::Identity(),
                                                     Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Vec3::UnitX())),
                                                     Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Vec3::UnitY())),
                                                     Eigen::Quaterniond(Eigen::AngleAxisd(-M_PI / 2, Vec3::UnitX()))};
  double drift_rev = 0, drift_pri = 0;
  std::string worst_joint;
  double worst_ratio = 0;
  bool unstable = false;
  try {
    for (const auto& quat : orientations) {
      mj_resetData(m, d);
      d->mocap_pos[3 * scene->mocap + 0] = 0;
      d->mocap_pos[3 * scene->mocap + 1] = 0;
      d->mocap_pos[3 * scene->mocap + 2] = 1.0;  // the box sits at the origin, far from the hand
      d->mocap_quat[4 * scene->mocap + 0] = quat.w();
      d->mocap_quat[4 * scene->mocap + 1] = quat.x();
      d->mocap_quat[4 * scene->mocap + 2] = quat.y();
      d->mocap_quat[4 * scene->mocap + 3] = quat.z();
      for (size_t l = 0; l < model.links.size(); ++l)
        if (scene->link_qpos[l] >= 0) d->qpos[scene->link_qpos[l]] = jv[l];
      for (int a = 0; a < model.dof(); ++a) d->ctrl[scene->actuator[a]] = q0[a];
      mj_forward(m, d);
      const int steps = std::max(1, static_cast<int>(o.mujoco_seconds / m->opt.timestep));
      for (int s = 0; s < steps; ++s) {
        mj_step(m, d);
        if (d->warning[mjWARN_BADQACC].number > 0) unstable = true;
      }
      for (size_t l = 0; l < model.links.size(); ++l) {
        if (scene->link_qpos[l] < 0) continue;
        const double dev = std::abs(d->qpos[scene->link_qpos[l]] - jv[l]);
        if (!std::isfinite(dev)) unstable = true;
        const bool prismatic = model.links[l].joint_type == JointType::Prismatic;
        (prismatic ? drift_pri : drift_rev) = std::max(prismatic ? drift_pri : drift_rev, dev);
        const double ratio = dev / (prismatic ? o.mujoco_tolerance_prismatic : o.mujoco_tolerance_revolute);
        if (ratio > worst_ratio) {
          worst_ratio = ratio;
          worst_joint = model.links[l].joint_name;
        }
      }
    }
  } catch (const std::exception& e) {
    mj_deleteData(d);
    r.add("mujoco", CheckLevel::Fail, std::string("MuJoCo simulation failed: ") + e.what());
    return;
  }
  mj_deleteData(d);
  r.measures["mujoco"] = {{"max_drift_rad", drift_rev},
                          {"max_drift_m", drift_pri},
                          {"hand_parts", scene->hand_parts},
                          {"gravity", o.mujoco_gravity},
                          {"seconds_per_orientation", o.mujoco_seconds},
                          {"gains", scene->hand_params.from_hand_json ? "hand.json sim" : "built-in defaults"}};
  const std::string drift = fixed(drift_rev, 4) + " rad, " + mm(drift_pri);
  if (unstable)
    r.add("mujoco", CheckLevel::Fail, "the MuJoCo model is unstable at the default pose (bad accelerations)");
  else if (worst_ratio > 1)
    r.add("mujoco", CheckLevel::Fail,
          "the MuJoCo model does not hold the default pose under " + fixed(o.mujoco_gravity, 2) +
              " m/s^2 gravity: joint '" + worst_joint + "' drifts (max drift " + drift + ")");
  else
    r.add("mujoco", CheckLevel::Pass,
          "compiles (" + std::to_string(scene->hand_parts) +
              " convex parts) and holds the default pose under gravity in 4 orientations "
              "(max drift " +
              drift + ")");
}

}  // namespace graspqp::onboard_detail
