#pragma once
// `graspqp view`: .glb files per grasp (or for a hand alone) and one self-contained index.html that
// shows them with three.js, offline from file:// (see docs/viewer.md).
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graspqp::view {

// The bundled page script (three.js + the viewer, one classic IIFE script), produced by
// `npm run build` in web/ (scripts/install_deps.sh does it). $GRASPQP_VIEWER_JS overrides the
// default <data root>/web/dist/viewer.js (the source tree or the install prefix, graspqp/assets.hpp).
std::filesystem::path viewer_bundle_path();
// Reads the bundle; throws graspqp::Error saying how to build it when it is missing.
std::string read_viewer_bundle();

// Builds the page: `data` goes into a <script type="application/json" id="graspqp-data"> element,
// the bundle into a classic inline <script>. Both are escaped so that no "</script" ends them early.
std::string page_html(const std::string& title, const nlohmann::json& data, const std::string& bundle_js);

std::string base64_encode(const std::string& bytes);

// Per-grasp evaluation results: every 1-D numeric dataset of length n_grasps at the root of an
// `*.eval.h5` file, as doubles (e.g. "success").
using EvalResults = std::map<std::string, Eigen::VectorXd>;
EvalResults read_eval_results(const std::filesystem::path& path, int n_grasps);
// The evaluation file next to a grasp file: <dir>/<stem>.eval.h5 or <dir>/<name>.eval.h5, if present.
std::optional<std::filesystem::path> find_eval_file(const std::filesystem::path& grasp_file);

// Grasp rows ordered best first: successful grasps (success > 0.5) before the others when `success`
// is given, then by increasing energy (non-finite energies last), ties by index.
std::vector<int> rank_grasps(const Eigen::VectorXd& energy, const Eigen::VectorXd* success = nullptr);

struct GraspViewOptions {
  std::filesystem::path grasps;  // grasp file (docs/format.md)
  std::filesystem::path out;     // output folder (created if missing)
  std::vector<int> indices;      // rows to show (0-based); empty: see best / default_limit
  int best = 0;                  // > 0: the best K rows (rank_grasps)
  int default_limit = 32;        // neither indices nor best: all rows if at most this many, else the best ones
  bool cones = false;            // friction cones at the contacts
  std::string hand;              // empty: the file's `hand` attribute
  std::filesystem::path object;  // empty: the file's `object_path` (relative: to the cwd, else to the file's folder)
  std::filesystem::path eval;    // empty: find_eval_file(grasps) when it exists
  int max_object_triangles = 50000;  // larger object meshes are simplified for display
};

struct HandViewOptions {
  std::string hand;
  std::filesystem::path out;
};

struct ViewResult {
  std::filesystem::path index_html;
  std::vector<std::filesystem::path> glb_files;
  std::vector<int> rows;  // grasp rows shown, in page order
  std::optional<std::filesystem::path> eval_file;
  std::vector<std::string> notes;  // things the user should know (selection capped, mesh simplified)
};

ViewResult write_grasp_view(const GraspViewOptions& options);
ViewResult write_hand_view(const HandViewOptions& options);

}  // namespace graspqp::view
