#include <graspqp/assets.hpp>
#include <graspqp/error.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/io/xml_escape.hpp>
#include <graspqp/ranges.hpp>
#include <graspqp/version.hpp>
#include <graspqp/view/scene.hpp>
#include <graspqp/view/viewer.hpp>

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

namespace graspqp::view {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- page --------------------------------------------------------------------------------------

fs::path viewer_bundle_path() {
  if (const char* env = std::getenv("GRASPQP_VIEWER_JS"); env && *env) return env;
  return data_root() / "web" / "dist" / "viewer.js";  // the source tree's, or the installed copy
}

std::string read_viewer_bundle() {
  const fs::path p = viewer_bundle_path();
  std::ifstream f(p, std::ios::binary);
  if (!f)
    throw Error(p.string() +
                ": viewer bundle not found; build it with `bash scripts/install_deps.sh` (runs `npm ci` and "
                "`npm run build` in web/) or set GRASPQP_VIEWER_JS");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  if (s.empty()) throw Error(p.string() + ": viewer bundle is empty; rebuild it with `npm run build` in web/");
  return s;
}

static void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

std::string page_html(const std::string& title, const json& data, const std::string& bundle_js) {
  // In JSON, '<' only occurs inside strings, where \u003c means the same.
  std::string data_text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  replace_all(data_text, "<", "\\u003c");
  // In the script, "</script" can only occur inside string literals, regular expressions or comments,
  // where "<\/script" means the same (esbuild already escapes string literals this way).
  std::string js = bundle_js;
  for (const char* tag : {"</script", "</SCRIPT", "</Script"}) replace_all(js, tag, std::string("<\\/") + (tag + 2));
  std::string html;
  html.reserve(data_text.size() + js.size() + 1024);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<link rel=\"icon\" href=\"data:,\">\n";  // no favicon request from a web server
  html += "<meta name=\"generator\" content=\"graspqp " + std::string(kVersion) + "\">\n";
  html += "<title>" + xml_escape(title) + "</title>\n</head>\n<body>\n";
  html += "<noscript>This page needs JavaScript and WebGL.</noscript>\n";
  html += "<script type=\"application/json\" id=\"graspqp-data\">";
  html += data_text;
  html += "</script>\n<script>\n";
  html += js;
  html += "\n</script>\n</body>\n</html>\n";
  return html;
}

std::string base64_encode(const std::string& bytes) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// The page stores each .glb as its JSON chunk (text) plus a reference to its BIN chunk, which is
// kept once per distinct content: every grasp of a file shares the same BIN chunk (the link meshes,
// the object and the contact sphere/cone geometry; poses and colours live in the JSON chunk), so the
// page holds the meshes once while the script still rebuilds and renders byte-identical .glb files.
namespace {
struct GlbStore {
  json bins = json::array();
  std::vector<std::string> raw;
  json add(const std::string& glb) {
    auto u32 = [&](size_t at) {
      return uint32_t(uint8_t(glb[at])) | uint32_t(uint8_t(glb[at + 1])) << 8 | uint32_t(uint8_t(glb[at + 2])) << 16 |
             uint32_t(uint8_t(glb[at + 3])) << 24;
    };
    if (glb.size() < 20) throw Error("internal error: truncated .glb");
    const size_t json_len = u32(12);
    std::string js = glb.substr(20, json_len);
    json entry = {{"json", js}, {"bin", nullptr}, {"bytes", glb.size()}};
    if (20 + json_len + 8 <= glb.size()) {
      std::string bin = glb.substr(20 + json_len + 8, u32(20 + json_len));
      size_t k = std::find(raw.begin(), raw.end(), bin) - raw.begin();
      if (k == raw.size()) {
        raw.push_back(bin);
        bins.push_back(base64_encode(bin));
      }
      entry["bin"] = k;
    }
    return entry;
  }
};
}  // namespace

// ---- evaluation results ------------------------------------------------------------------------

std::optional<fs::path> find_eval_file(const fs::path& grasp_file) {
  const fs::path dir = grasp_file.parent_path();
  for (const fs::path& c :
       {dir / (grasp_file.stem().string() + ".eval.h5"), dir / (grasp_file.filename().string() + ".eval.h5")}) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c;
  }
  return std::nullopt;
}

namespace {
struct H5Handle {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  H5Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

// Reads a 1-D dataset of integers, floats or enums (h5py booleans) as doubles; nullopt when it is
// anything else.
std::optional<Eigen::VectorXd> read_numeric_1d(hid_t file, const std::string& name, int n) {
  H5Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) return std::nullopt;
  H5Handle space(H5Dget_space(ds.id), H5Sclose);
  if (space.id < 0 || H5Sget_simple_extent_ndims(space.id) != 1) return std::nullopt;
  hsize_t dim = 0;
  H5Sget_simple_extent_dims(space.id, &dim, nullptr);
  if (static_cast<long long>(dim) != n) return std::nullopt;
  H5Handle type(H5Dget_type(ds.id), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.id);
  Eigen::VectorXd v(n);
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    if (n && H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) return std::nullopt;
    return v;
  }
  if (cls == H5T_ENUM) {
    H5Handle super(H5Tget_super(type.id), H5Tclose);
    H5Handle native(H5Tget_native_type(type.id, H5T_DIR_ASCEND), H5Tclose);
    const size_t size = H5Tget_size(native.id);
    const bool is_signed = H5Tget_sign(super.id) == H5T_SGN_2;
    if (size != 1 && size != 2 && size != 4 && size != 8) return std::nullopt;
    std::vector<unsigned char> raw(size * n);
    if (n && H5Dread(ds.id, native.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) return std::nullopt;
    // One enum value of `size` bytes at p, read as the signed or unsigned integer of that width.
    auto value_at = [&](const unsigned char* p, auto signed_zero, auto unsigned_zero) {
      decltype(signed_zero) a;
      decltype(unsigned_zero) b;
      std::memcpy(&a, p, sizeof a);
      std::memcpy(&b, p, sizeof b);
      return is_signed ? static_cast<double>(a) : static_cast<double>(b);
    };
    for (int i = 0; i < n; ++i) {
      const unsigned char* p = raw.data() + size * i;
      switch (size) {
        case 1:
          v[i] = value_at(p, int8_t{}, uint8_t{});
          break;
        case 2:
          v[i] = value_at(p, int16_t{}, uint16_t{});
          break;
        case 4:
          v[i] = value_at(p, int32_t{}, uint32_t{});
          break;
        default:
          v[i] = value_at(p, int64_t{}, uint64_t{});
      }
    }
    return v;
  }
  return std::nullopt;
}
}  // namespace

static bool read_eval_results_quiet(const fs::path& path, int n_grasps, EvalResults& out) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.id < 0) return false;
  H5G_info_t info;
  if (H5Gget_info(file.id, &info) < 0) return false;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(file.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len <= 0) continue;
    std::string name(static_cast<size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(file.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<size_t>(len));
    if (auto v = read_numeric_1d(file.id, name, n_grasps)) out[name] = *v;
  }
  return true;
}

EvalResults read_eval_results(const fs::path& path, int n_grasps) {
  if (!fs::is_regular_file(path)) throw Error(path.string() + ": file not found");
  EvalResults out;
  bool ok = false;
  // Failed probes (a group where a dataset was tried) are expected: keep HDF5 from printing them.
  H5E_BEGIN_TRY { ok = read_eval_results_quiet(path, n_grasps, out); }
  H5E_END_TRY;
  if (!ok) throw Error(path.string() + ": not an HDF5 file");
  return out;
}

std::vector<int> rank_grasps(const Eigen::VectorXd& energy, const Eigen::VectorXd* success) {
  std::vector<int> rows(energy.size());
  std::iota(rows.begin(), rows.end(), 0);
  auto ok = [&](int i) { return success && i < success->size() && (*success)[i] > 0.5; };
  auto e = [&](int i) { return std::isfinite(energy[i]) ? energy[i] : std::numeric_limits<double>::infinity(); };
  std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
    if (ok(a) != ok(b)) return ok(a);
    return e(a) < e(b);
  });
  return rows;
}

// ---- outputs -----------------------------------------------------------------------------------

static fs::path resolve_object(const GraspViewOptions& o, const GraspDataset& d) {
  if (!o.object.empty()) {
    if (!fs::is_regular_file(o.object)) throw Error(o.object.string() + ": object mesh not found (--object)");
    return o.object;
  }
  const fs::path p(d.object_path);
  if (p.empty()) throw Error(o.grasps.string() + ": no object_path attribute; pass --object");
  std::vector<fs::path> candidates{p};
  if (p.is_relative()) {
    fs::path dir = o.grasps.parent_path();
    for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) candidates.push_back(dir / p);
    candidates.push_back(data_root() / p);
  }
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c;
  }
  throw Error(d.object_path + ": object mesh of " + o.grasps.string() + " not found; pass --object");
}

static std::string glb_name(int row) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "grasp_%04d.glb", row);
  return buf;
}

static json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

ViewResult write_grasp_view(const GraspViewOptions& o) {
  require_range("--best", o.best, 0, 1e9);
  require_range("--limit", o.default_limit, 0, 1e9);
  if (o.max_object_triangles != 0)
    require_range("--max-object-triangles (0: never simplify)", o.max_object_triangles, 12, kMaxMeshTriangles);
  ViewResult result;
  const GraspDataset d = read_grasp_file(o.grasps);
  const int N = d.n_grasps();
  if (N == 0) throw Error(o.grasps.string() + ": the file holds no grasps");

  // Evaluation results (optional).
  EvalResults eval;
  if (!o.eval.empty())
    result.eval_file = o.eval;
  else
    result.eval_file = find_eval_file(o.grasps);
  if (result.eval_file) {
    eval = read_eval_results(*result.eval_file, N);
    if (eval.empty())
      result.notes.push_back(result.eval_file->string() + ": no per-grasp dataset of length " + std::to_string(N));
  }
  const Eigen::VectorXd* success = eval.count("success") ? &eval.at("success") : nullptr;

  // Selection.
  if (!o.indices.empty()) {
    for (int i : o.indices)
      if (i < 0 || i >= N)
        throw Error("--index: " + std::to_string(i) + " is out of range (the file holds " + std::to_string(N) +
                    " grasps, indices 0.." + std::to_string(N - 1) + ")");
    result.rows = o.indices;
  } else {
    const std::vector<int> ranked = rank_grasps(d.energy, success);
    int k = o.best > 0 ? std::min(o.best, N) : N;
    if (o.best <= 0 && o.default_limit > 0 && N > o.default_limit) {
      k = o.default_limit;
      result.notes.push_back("the file holds " + std::to_string(N) + " grasps; showing the best " + std::to_string(k) +
                             " (choose with --index or --best)");
    }
    if (o.best > 0 || k < N)
      result.rows.assign(ranked.begin(), ranked.begin() + k);
    else {
      result.rows.resize(N);
      std::iota(result.rows.begin(), result.rows.end(), 0);
    }
  }

  const std::string bundle = read_viewer_bundle();  // fail early, before the slow part

  const HandModel hand = load_hand(o.hand.empty() ? d.hand : o.hand);
  if (hand.dof() != d.dof())
    throw Error(o.grasps.string() + ": " + std::to_string(d.dof()) + " joints, hand '" + hand.name + "' has " +
                std::to_string(hand.dof()));
  const HandRender render = make_hand_render(hand, 20000);
  const fs::path object_path = resolve_object(o, d);
  TriangleMesh object_mesh = load_mesh(object_path, Vec3::Constant(d.scale));
  if (!d.object_sha256.empty() && o.object.empty()) {
    if (sha256_file(object_path) != d.object_sha256)
      result.notes.push_back(object_path.string() + ": differs from the mesh the grasps were generated for (sha256)");
  }
  const size_t object_triangles = object_mesh.faces.size();
  if (o.max_object_triangles > 0 && static_cast<int>(object_triangles) > o.max_object_triangles) {
    object_mesh = simplify_mesh(object_mesh, o.max_object_triangles);
    result.notes.push_back("object mesh simplified for display: " + std::to_string(object_triangles) + " -> " +
                           std::to_string(object_mesh.faces.size()) + " triangles");
  }
  const RenderMesh object = make_render_mesh(object_mesh);

  GraspSceneOptions so;
  so.cones = o.cones;
  try {
    const json params = json::parse(d.parameters_json);
    if (params.contains("force_closure_qp") && params["force_closure_qp"].contains("friction"))
      so.friction = params["force_closure_qp"]["friction"].get<double>();
  } catch (const std::exception&) {
  }

  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw Error(o.out.string() + ": cannot create the output folder: " + ec.message());

  json grasps = json::array();
  GlbStore store;
  for (int row : result.rows) {
    const std::string glb = grasp_scene(hand, render, object, d, row, so).to_glb();
    const fs::path file = o.out / glb_name(row);
    write_text_atomically(file, glb);
    result.glb_files.push_back(file);
    json g;
    g["index"] = row;
    g["file"] = file.filename().string();
    g["energy"] = finite_or_null(d.energy[row]);
    json terms = json::array();
    for (int t = 0; t < d.energy_terms.cols(); ++t) terms.push_back(finite_or_null(d.energy_terms(row, t)));
    g["terms"] = terms;
    json extra = json::object();
    for (const auto& [name, v] : d.extra) extra[name] = finite_or_null(v[row]);
    g["extra"] = extra;
    json ev = json::object();
    for (const auto& [name, v] : eval) ev[name] = finite_or_null(v[row]);
    g["eval"] = ev;
    g["success"] = success ? json((*success)[row] > 0.5) : json(nullptr);
    g["contacts"] = grasp_contacts_json(d, row);
    g["glb"] = store.add(glb);
    grasps.push_back(std::move(g));
  }

  json data;
  data["mode"] = "grasps";
  data["generator"] = std::string("graspqp ") + kVersion;
  data["file"] = fs::absolute(o.grasps).lexically_normal().string();
  data["hand"] = hand.name;
  data["grasp_type"] = d.grasp_type;
  data["energy_name"] = d.energy_name;
  data["object"] = object_path.string();
  data["object_name"] = object_path.parent_path().filename().string().empty()
                            ? object_path.stem().string()
                            : object_path.parent_path().filename().string();
  data["scale"] = d.scale;
  data["n_grasps_in_file"] = N;
  data["term_names"] = d.energy_term_names;
  json extra_names = json::array();
  for (const auto& [name, v] : d.extra) extra_names.push_back(name);
  data["extra_names"] = extra_names;
  json eval_names = json::array();
  for (const auto& [name, v] : eval) eval_names.push_back(name);
  data["eval_names"] = eval_names;
  data["eval_file"] = result.eval_file ? json(result.eval_file->string()) : json(nullptr);
  data["friction"] = so.friction;
  data["cones"] = o.cones;
  data["poses"] = d.has_poses();
  data["links"] = hand.links.size();
  data["contacts_per_grasp"] = d.n_contacts();
  data["notes"] = result.notes;
  data["grasps"] = std::move(grasps);
  data["bins"] = std::move(store.bins);

  const std::string title = "graspqp: " + hand.name + " grasps of " + data["object_name"].get<std::string>();
  result.index_html = o.out / "index.html";
  write_text_atomically(result.index_html, page_html(title, data, bundle));
  return result;
}

ViewResult write_hand_view(const HandViewOptions& o) {
  ViewResult result;
  const std::string bundle = read_viewer_bundle();
  const HandModel hand = load_hand(o.hand);
  for (const auto& w : hand.warnings) result.notes.push_back(w);
  const HandRender render = make_hand_render(hand, 20000);
  const GltfBuilder b = hand_scene(hand, render);
  const std::string glb = b.to_glb();
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw Error(o.out.string() + ": cannot create the output folder: " + ec.message());
  const fs::path file = o.out / ("hand_" + hand.name + ".glb");
  write_text_atomically(file, glb);
  result.glb_files.push_back(file);

  json data;
  data["mode"] = "hand";
  data["generator"] = std::string("graspqp ") + kVersion;
  data["hand"] = hand.name;
  data["directory"] = hand.directory.string();
  data["links"] = hand.links.size();
  data["dof"] = hand.dof();
  data["spheres"] = hand.spheres.size();
  json types = json::array();
  for (const GraspType& gt : hand.grasp_types)
    types.push_back({{"name", gt.name}, {"candidates", gt.candidates.size()}});
  data["grasp_types"] = types;
  json links = json::array();
  for (size_t l = 0; l < hand.links.size(); ++l)
    links.push_back({{"name", hand.links[l].name}, {"geometry", render.source[l]}});
  data["link_list"] = links;
  json joints = json::array();
  const Eigen::VectorXd q = hand.default_joints();
  for (int j = 0; j < hand.dof(); ++j)
    joints.push_back({{"name", hand.joints[j].name},
                      {"value", q[j]},
                      {"lower", hand.joints[j].lower},
                      {"upper", hand.joints[j].upper}});
  data["joints"] = joints;
  data["notes"] = result.notes;
  data["file"] = file.filename().string();
  GlbStore store;
  data["glb"] = store.add(glb);
  data["bins"] = std::move(store.bins);
  result.index_html = o.out / "index.html";
  write_text_atomically(result.index_html, page_html("graspqp: hand " + hand.name, data, bundle));
  return result;
}

}  // namespace graspqp::view
