// The files of a hand folder written by `graspqp hand init`: the URDF and its meshes copied in, the
// contact patches (contacts/*.obj, contact_points.json, grasp types), penetration_points.json, hand.json.
#include <graspqp/geometry/mesh.hpp>
#include <graspqp/io/atomic_file.hpp>

#include <tinyxml2.h>

#include <algorithm>
#include <functional>
#include <iomanip>
#include <set>
#include <sstream>

#include "internal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace graspqp::onboard_detail {

namespace {

// Link names as file names: anything but [A-Za-z0-9_.-] becomes '_'.
std::string sanitize(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  return s.empty() ? "link" : s;
}

// One line per key (annotation files: {link: [[...], ...]}).
std::string dump_lines(const ordered_json& j) {
  std::string s = "{\n";
  size_t k = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++k) {
    std::string v = it.value().dump();
    std::string spaced;
    for (char c : v) spaced += c == ',' ? std::string(", ") : std::string(1, c);
    s += "  " + ordered_json(it.key()).dump() + ": " + spaced + (k + 1 < j.size() ? ",\n" : "\n");
  }
  return s + "}\n";
}

// Wavefront OBJ, 7 significant digits, with a comment line.
std::string write_obj(const TriangleMesh& m, const std::string& comment) {
  std::ostringstream s;
  s << "# " << comment << "\n" << std::setprecision(7);
  for (const auto& v : m.vertices) s << "v " << v.x() << " " << v.y() << " " << v.z() << "\n";
  for (const auto& f : m.faces) s << "f " << f[0] + 1 << " " << f[1] + 1 << " " << f[2] + 1 << "\n";
  return s.str();
}

// Strips "package://<pkg>/" and resolves a URDF mesh reference against the URDF's folder.
// Not urdf::resolve_asset on purpose: a URDF from outside a hand folder needs more places (file://, --mesh-dir,
// the package root above the URDF, a search below its folder) and the relative path to copy the mesh to.
fs::path resolve_urdf_mesh(const std::string& filename, const fs::path& urdf_dir, const fs::path& mesh_dir,
                           std::string& relative) {
  std::string f = filename;
  std::vector<std::string> variants;
  const std::string pkg = "package://", file = "file://";
  if (f.rfind(file, 0) == 0) f = f.substr(file.size());
  if (f.rfind(pkg, 0) == 0) {
    f = f.substr(pkg.size());
    const auto slash = f.find('/');
    if (slash != std::string::npos) variants.push_back(f.substr(slash + 1));
    variants.push_back(f);
  } else {
    variants.push_back(f);
  }
  std::error_code ec;
  for (const fs::path& base : {urdf_dir, mesh_dir}) {
    if (base.empty()) continue;
    for (const auto& v : variants) {
      const fs::path p = fs::path(v).is_absolute() ? fs::path(v) : base / v;
      if (fs::is_regular_file(p, ec)) {
        relative = v;
        return p;
      }
    }
  }
  // Search parent folders for package-relative paths (a package's root above the URDF).
  for (fs::path dir = urdf_dir; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
    for (const auto& v : variants)
      if (fs::is_regular_file(dir / v, ec)) {
        relative = variants.front();
        return dir / v;
      }
  // Last resort: a file below the URDF's folder whose path ends with the reference (sorted, first match).
  std::vector<fs::path> found;
  for (auto it = fs::recursive_directory_iterator(urdf_dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 5) it.disable_recursion_pending();
    if (!it->is_regular_file(ec)) continue;
    const std::string p = it->path().generic_string();
    for (const auto& v : variants)
      if (p.size() > v.size() && p.compare(p.size() - v.size(), v.size(), v) == 0 && p[p.size() - v.size() - 1] == '/')
        found.push_back(it->path());
  }
  if (found.empty()) {
    // As the loader: the same file name in the mesh folder or below the URDF's folder.
    const std::string name = fs::path(variants.front()).filename().string();
    if (!mesh_dir.empty() && fs::is_regular_file(mesh_dir / name, ec)) found.push_back(mesh_dir / name);
    for (auto it = fs::recursive_directory_iterator(urdf_dir, fs::directory_options::skip_permission_denied, ec);
         found.empty() && !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() > 5) it.disable_recursion_pending();
      if (it->is_regular_file(ec) && it->path().filename() == name) found.push_back(it->path());
    }
  }
  if (!found.empty()) {
    std::sort(found.begin(), found.end());
    relative = variants.front();
    return found.front();
  }
  return {};
}

// A path that stays inside the output folder (not absolute, no "..").
bool clean_relative(const std::string& rel) {
  const fs::path p(rel);
  if (p.is_absolute() || rel.empty()) return false;
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

// Keeps the first previous version of an annotation file as *.orig.json.
void backup_once(const fs::path& file, HandInitReport& report) {
  if (!fs::exists(file)) return;
  fs::path orig = file;
  orig.replace_extension(".orig.json");
  if (fs::exists(orig)) return;
  fs::copy_file(file, orig);
  report.backups.push_back(orig.filename().string());
}

}  // namespace

std::string dump(const ordered_json& j) { return j.dump(2) + "\n"; }

std::string copy_urdf(const fs::path& urdf, const fs::path& mesh_dir, const fs::path& out,
                      std::vector<std::string>& files, std::vector<std::string>& notes) {
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(urdf.string().c_str()) != tinyxml2::XML_SUCCESS)
    throw Error(urdf.string() + ": cannot be parsed as XML (" + std::string(doc.ErrorStr()) + ")");
  bool rewritten = false;
  std::set<std::string> copied;
  std::function<void(tinyxml2::XMLElement*)> visit = [&](tinyxml2::XMLElement* e) {
    for (; e; e = e->NextSiblingElement()) {
      if (std::string(e->Name()) == "mesh" && e->Attribute("filename")) {
        const std::string original = e->Attribute("filename");
        std::string rel;
        const fs::path src = resolve_urdf_mesh(original, urdf.parent_path(), mesh_dir, rel);
        if (src.empty()) {
          if (copied.insert("missing:" + original).second)
            notes.push_back("mesh '" + original + "' referenced by the URDF was not found; not copied");
        } else {
          std::string dst_rel = rel;
          if (!clean_relative(rel)) dst_rel = "meshes/" + src.filename().string();
          if (dst_rel != original) {
            e->SetAttribute("filename", dst_rel.c_str());
            rewritten = true;
          }
          if (copied.insert(dst_rel).second) {
            const fs::path dst = out / dst_rel;
            fs::create_directories(dst.parent_path());
            std::error_code ec;
            if (!fs::equivalent(src, dst, ec)) fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
            files.push_back(dst_rel);
          }
        }
      }
      visit(e->FirstChildElement());
    }
  };
  visit(doc.RootElement());
  const std::string name = urdf.filename().string();
  const fs::path dst = out / name;
  std::error_code ec;
  if (rewritten) {
    tinyxml2::XMLPrinter printer;
    doc.Print(&printer);
    write_text_atomically(dst, printer.CStr());
  } else if (!fs::equivalent(urdf, dst, ec)) {
    fs::copy_file(urdf, dst, fs::copy_options::overwrite_existing);
  }
  files.push_back(name);
  return name;
}

void write_contact_files(const HandModel& model, const fs::path& dir, bool in_place, const std::string& contacts_name,
                         const std::string& types_name, HandInitReport& report) {
  fs::create_directories(dir / "contacts");
  ordered_json cp = ordered_json::object();
  for (const auto& p : report.patches) {
    const LinkModel& link = model.links[p.link];
    const Eigen::Affine3d inv = link.annotation_frame.inverse();
    TriangleMesh m = p.mesh;
    for (auto& v : m.vertices) v = inv * v;
    const std::string rel = "contacts/" + sanitize(link.name) + ".obj";
    write_text_atomically(dir / rel, write_obj(m, "graspqp hand init: palmar contact patch of link '" + link.name +
                                                      "' (frame of the link's last collision geometry)"));
    report.files.push_back(rel);
    cp[link.name] = ordered_json::array({ordered_json::array({rel, p.points})});
  }
  if (in_place) {
    backup_once(dir / contacts_name, report);
    backup_once(dir / types_name, report);
  }
  write_text_atomically(dir / contacts_name, dump_lines(cp));
  report.files.push_back(contacts_name);
  ordered_json types = ordered_json::object();
  for (const std::string tn : {"full", "precision", "pinch"}) {
    auto it = report.grasp_types.find(tn);
    if (it == report.grasp_types.end()) continue;
    ordered_json t = ordered_json::object();
    // Links in tree order.
    for (size_t l = 0; l < model.links.size(); ++l) {
      auto jt = it->second.find(model.links[l].name);
      if (jt != it->second.end()) t[jt->first] = {{"n_points", jt->second}};
    }
    types[tn] = t;
  }
  write_text_atomically(dir / types_name, dump(types));
  report.files.push_back(types_name);
}

void write_sphere_file(const HandModel& model, const fs::path& dir, bool in_place, const std::string& spheres_name,
                       HandInitReport& report) {
  ordered_json sp = ordered_json::object();
  for (const auto& ls : report.spheres) {
    const LinkModel& link = model.links[ls.link];
    const Eigen::Affine3d inv = link.annotation_frame.inverse();
    ordered_json arr = ordered_json::array();
    for (const auto& s : ls.spheres) {
      const Vec3 c = inv * s.center;
      arr.push_back({round_to(c.x(), 1e-6), round_to(c.y(), 1e-6), round_to(c.z(), 1e-6), round_to(s.radius, 1e-6)});
    }
    sp[link.name] = arr;
  }
  if (in_place) backup_once(dir / spheres_name, report);
  write_text_atomically(dir / spheres_name, dump_lines(sp));
  report.files.push_back(spheres_name);
}

void write_hand_json(const HandModel& model, const fs::path& dir, bool in_place, bool set_pose,
                     const std::string& contacts_name, const std::string& spheres_name, const std::string& types_name,
                     ordered_json& config, HandInitReport& report) {
  const HandStructure& st = report.structure;
  if (set_pose) {
    ordered_json pose = ordered_json::object();
    for (int j = 0; j < model.dof(); ++j) pose[model.joints[j].name] = round_to(model.joints[j].default_value, 1e-4);
    if (in_place) {
      // Only these keys change; everything else in hand.json is kept as it is.
      config["approach_axis"] = axis_json(st.approach_axis);
      config["up_axis"] = axis_json(st.up_axis);
      config["default_pose"] = pose;
      if (!report.grasp_type_init.empty() && !config.contains("grasp_type_init"))
        report.notes.push_back("suggested hand.json \"grasp_type_init\" (not written in place): " +
                               report.grasp_type_init.dump());
    } else {
      ordered_json out;
      out["name"] = config["name"];
      out["urdf"] = config["urdf"];
      if (config.contains("mesh_dir")) out["mesh_dir"] = config["mesh_dir"];
      if (config.contains("visual_as_collision")) out["visual_as_collision"] = config["visual_as_collision"];
      out["approach_axis"] = axis_json(st.approach_axis);
      out["up_axis"] = axis_json(st.up_axis);
      out["default_pose"] = pose;
      if (!report.grasp_type_init.empty()) out["grasp_type_init"] = ordered_json::parse(report.grasp_type_init.dump());
      out["contact_points"] = contacts_name;
      out["penetration_points"] = spheres_name;
      out["grasp_types"] = types_name;
      out["sim"] = ordered_json::parse(suggested_sim_gains(model).dump());
      out["_comment"] = "Written by graspqp hand init (docs/adding_a_hand.md); every value may be edited.";
      config = out;
    }
    write_text_atomically(dir / "hand.json", dump(config));
    report.files.push_back("hand.json");
  } else if (!in_place) {
    write_text_atomically(dir / "hand.json", dump(config));
  }
}

}  // namespace graspqp::onboard_detail
