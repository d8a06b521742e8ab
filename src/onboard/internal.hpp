#pragma once
// Private helpers of src/onboard, shared by several of its files: small numeric and formatting helpers,
// the hand-folder file writers of `hand init` (hand_files.cpp) and the individual checks of `hand check`
// (check_files.cpp, check_model.cpp, check_mujoco.cpp).
#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/io/json_file.hpp>
#include <graspqp/onboard/hand_check.hpp>
#include <graspqp/onboard/hand_init.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// Own namespace: these names have external linkage now and must not collide with other modules' helpers.
namespace graspqp::onboard_detail {

// ---- numbers (init) ----

inline double round_to(double v, double step) {
  const double inv = std::round(1.0 / step);
  return std::round(v * inv) / inv;
}

inline Eigen::VectorXd mid_range(const HandModel& m) { return 0.5 * (m.lower_limits() + m.upper_limits()); }

// Forward kinematics in the hand's base frame (identity wrist).
inline void fk_at(const HandModel& model, const Eigen::VectorXd& q, HandData& data) {
  forward_kinematics(model, make_state(Vec3::Zero(), Mat3::Identity(), q), data);
}

// Axes and points as written to hand.json and the init report: 4 decimals.
inline nlohmann::json axis_json(const Vec3& v) {
  return nlohmann::json::array({round_to(v.x(), 1e-4), round_to(v.y(), 1e-4), round_to(v.z(), 1e-4)});
}

// ---- hand folder files (init, hand_files.cpp) ----

// hand.json layout: 2-space indent, trailing newline.
std::string dump(const nlohmann::ordered_json& j);

// Copies the URDF and every mesh it references into `out`; returns the URDF's file name there.
std::string copy_urdf(const std::filesystem::path& urdf, const std::filesystem::path& mesh_dir,
                      const std::filesystem::path& out, std::vector<std::string>& files,
                      std::vector<std::string>& notes);

// contacts/<link>.obj, contact_points.json and the grasp types file (previous files kept once when in place).
void write_contact_files(const HandModel& model, const std::filesystem::path& dir, bool in_place,
                         const std::string& contacts_name, const std::string& types_name, HandInitReport& report);

// penetration_points.json (previous file kept once when in place).
void write_sphere_file(const HandModel& model, const std::filesystem::path& dir, bool in_place,
                       const std::string& spheres_name, HandInitReport& report);

// hand.json: in place only the pose keys change; a new folder gets the full file (with `set_pose`) or
// `config` as it is.
void write_hand_json(const HandModel& model, const std::filesystem::path& dir, bool in_place, bool set_pose,
                     const std::string& contacts_name, const std::string& spheres_name, const std::string& types_name,
                     nlohmann::ordered_json& config, HandInitReport& report);

// ---- formatting (check) ----

inline std::string mm(double metres, int precision = 2) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << metres * 1e3 << " mm";
  return s.str();
}
inline std::string pct(double f) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100 * f << " %";
  return s.str();
}
inline std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

// read_json_file without throwing: false and the one-line reason in `error`.
inline bool try_read_json_file(const std::filesystem::path& p, nlohmann::json& out, std::string& error) {
  try {
    out = read_json_file(p);
  } catch (const Error& e) {
    error = e.what();
    return false;
  }
  return true;
}

// ---- checks (check_files.cpp, check_model.cpp, check_mujoco.cpp) ----

// What the raw-file checks learnt before loading.
struct RawFiles {
  nlohmann::json config;
  std::filesystem::path urdf_path;
  std::set<std::string> links;           // URDF link names
  std::set<std::string> geometry_links;  // links with collision (or visual, if used) geometry
  bool urdf_ok = false;
};

// hand.json, URDF, joint limits and the raw sphere file (before loading).
void check_raw(const std::filesystem::path& dir, const HandCheckOptions& o, HandCheckReport& r, RawFiles& raw);

// Checks of a loaded model.
void check_candidates(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);
void check_patch_offsets(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);
void check_spheres(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);
void check_self_collision(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);
void measure_spread(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);
void check_mujoco(const HandModel& model, const HandCheckOptions& o, HandCheckReport& r);

}  // namespace graspqp::onboard_detail
