#include "hand/urdf.hpp"

#include <graspqp/error.hpp>

#include <tinyxml2.h>

#include <cmath>
#include <sstream>

namespace graspqp::urdf {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw Error(source + ": " + what); }

std::vector<double> parse_numbers(const char* text, size_t expected, const std::string& source,
                                  const std::string& what) {
  std::vector<double> values;
  if (text) {
    std::istringstream in(text);
    std::string token;
    while (in >> token) {
      try {
        size_t used = 0;
        values.push_back(std::stod(token, &used));
        if (used != token.size()) throw std::invalid_argument(token);
      } catch (const std::exception&) {
        fail(source, "malformed number '" + token + "' in " + what);
      }
    }
  }
  if (values.size() != expected)
    fail(source, what + " needs " + std::to_string(expected) + " numbers, got " + std::to_string(values.size()));
  for (double v : values)
    if (!std::isfinite(v)) fail(source, "non-finite number in " + what);
  return values;
}

Vec3 parse_vec3(const tinyxml2::XMLElement* e, const char* attr, const Vec3& fallback, const std::string& source,
                const std::string& what) {
  const char* text = e ? e->Attribute(attr) : nullptr;
  if (!text) return fallback;
  auto v = parse_numbers(text, 3, source, what);
  return Vec3(v[0], v[1], v[2]);
}

double parse_double(const tinyxml2::XMLElement* e, const char* attr, double fallback, const std::string& source,
                    const std::string& what) {
  const char* text = e->Attribute(attr);
  if (!text) return fallback;
  return parse_numbers(text, 1, source, what)[0];
}

Eigen::Isometry3d parse_origin(const tinyxml2::XMLElement* parent, const std::string& source, const std::string& what) {
  const tinyxml2::XMLElement* o = parent->FirstChildElement("origin");
  if (!o) return Eigen::Isometry3d::Identity();
  return origin_from_xyz_rpy(parse_vec3(o, "xyz", Vec3::Zero(), source, what + " origin xyz"),
                             parse_vec3(o, "rpy", Vec3::Zero(), source, what + " origin rpy"));
}

std::string required_attribute(const tinyxml2::XMLElement* e, const char* attr, const std::string& source,
                               const std::string& what) {
  const char* v = e->Attribute(attr);
  if (!v || !*v) fail(source, what + " has no '" + attr + "' attribute");
  return v;
}

Geometry parse_geometry(const tinyxml2::XMLElement* element, const std::string& source, const std::string& what) {
  Geometry g;
  g.origin = parse_origin(element, source, what);
  const tinyxml2::XMLElement* geom = element->FirstChildElement("geometry");
  if (!geom) fail(source, what + " has no <geometry>");
  if (auto* m = geom->FirstChildElement("mesh")) {
    g.kind = Geometry::Kind::Mesh;
    g.filename = required_attribute(m, "filename", source, what + " mesh");
    g.scale = parse_vec3(m, "scale", Vec3::Ones(), source, what + " mesh scale");
  } else if (auto* b = geom->FirstChildElement("box")) {
    g.kind = Geometry::Kind::Box;
    g.size = parse_vec3(b, "size", Vec3::Zero(), source, what + " box size");
    if ((g.size.array() <= 0).any()) fail(source, what + " box has a non-positive size");
  } else if (auto* c = geom->FirstChildElement("cylinder")) {
    g.kind = Geometry::Kind::Cylinder;
    g.radius = parse_double(c, "radius", 0, source, what + " cylinder radius");
    g.length = parse_double(c, "length", 0, source, what + " cylinder length");
    if (g.radius <= 0 || g.length <= 0) fail(source, what + " cylinder has a non-positive size");
  } else if (auto* s = geom->FirstChildElement("sphere")) {
    g.kind = Geometry::Kind::Sphere;
    g.radius = parse_double(s, "radius", 0, source, what + " sphere radius");
    if (g.radius <= 0) fail(source, what + " sphere has a non-positive radius");
  } else {
    fail(source, what + " has an unsupported geometry (mesh, box, cylinder and sphere are supported)");
  }
  return g;
}

}  // namespace

Eigen::Isometry3d origin_from_xyz_rpy(const Vec3& xyz, const Vec3& rpy) {
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  // URDF fixed-axis roll-pitch-yaw: R = Rz(yaw) Ry(pitch) Rx(roll).
  T.linear() = (Eigen::AngleAxisd(rpy.z(), Vec3::UnitZ()) * Eigen::AngleAxisd(rpy.y(), Vec3::UnitY()) *
                Eigen::AngleAxisd(rpy.x(), Vec3::UnitX()))
                   .toRotationMatrix();
  T.translation() = xyz;
  return T;
}

Robot parse_string(const std::string& xml, const std::string& source) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.c_str(), xml.size()) != tinyxml2::XML_SUCCESS)
    fail(source, std::string("malformed XML (") + (doc.ErrorStr() ? doc.ErrorStr() : "parse error") + ")");
  const tinyxml2::XMLElement* root = doc.FirstChildElement("robot");
  if (!root) fail(source, "no <robot> element");
  Robot robot;
  if (const char* n = root->Attribute("name")) robot.name = n;

  // Only direct children of <robot>: transmissions and plugins also contain <joint> elements.
  for (auto* e = root->FirstChildElement("link"); e; e = e->NextSiblingElement("link")) {
    Link link;
    link.name = required_attribute(e, "name", source, "a <link>");
    for (auto* v = e->FirstChildElement("visual"); v; v = v->NextSiblingElement("visual"))
      link.visuals.push_back(parse_geometry(v, source, "visual of link '" + link.name + "'"));
    for (auto* c = e->FirstChildElement("collision"); c; c = c->NextSiblingElement("collision"))
      link.collisions.push_back(parse_geometry(c, source, "collision of link '" + link.name + "'"));
    robot.links.push_back(std::move(link));
  }
  for (auto* e = root->FirstChildElement("joint"); e; e = e->NextSiblingElement("joint")) {
    Joint j;
    j.name = required_attribute(e, "name", source, "a <joint>");
    const std::string what = "joint '" + j.name + "'";
    j.type = required_attribute(e, "type", source, what);
    if (j.type != "fixed" && j.type != "revolute" && j.type != "continuous" && j.type != "prismatic")
      fail(source, what + " has unsupported type '" + j.type + "'");
    auto* p = e->FirstChildElement("parent");
    auto* c = e->FirstChildElement("child");
    if (!p || !c) fail(source, what + " needs <parent> and <child>");
    j.parent = required_attribute(p, "link", source, what + " <parent>");
    j.child = required_attribute(c, "link", source, what + " <child>");
    j.origin = parse_origin(e, source, what);
    if (auto* a = e->FirstChildElement("axis")) {
      j.axis = parse_vec3(a, "xyz", Vec3::UnitX(), source, what + " axis");
      if (j.axis.norm() < 1e-12) {
        if (j.type != "fixed") fail(source, what + " has a zero axis");
        j.axis = Vec3::UnitX();  // irrelevant for fixed joints, which some URDFs give "0 0 0"
      }
      j.axis.normalize();
    }
    if (auto* l = e->FirstChildElement("limit")) {
      if (l->Attribute("lower") || l->Attribute("upper")) {
        j.has_limits = true;
        j.lower = parse_double(l, "lower", 0, source, what + " lower limit");
        j.upper = parse_double(l, "upper", 0, source, what + " upper limit");
      }
    }
    if (auto* m = e->FirstChildElement("mimic")) {
      Mimic mimic;
      mimic.joint = required_attribute(m, "joint", source, what + " <mimic>");
      mimic.multiplier = parse_double(m, "multiplier", 1.0, source, what + " mimic multiplier");
      mimic.offset = parse_double(m, "offset", 0.0, source, what + " mimic offset");
      j.mimic = mimic;
    }
    robot.joints.push_back(std::move(j));
  }
  if (robot.links.empty()) fail(source, "the URDF has no links");
  return robot;
}

Robot parse_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path.string(), "file not found");
  tinyxml2::XMLDocument doc;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path.string(), "cannot be read");
  std::string xml;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) xml.append(buf, n);
  std::fclose(f);
  return parse_string(xml, path.string());
}

// Strips "package://<package>/" and tries the places URDFs and GraspQP annotations refer to.
std::filesystem::path resolve_asset(const std::string& filename, const std::vector<std::filesystem::path>& bases) {
  std::string f = filename;
  std::vector<std::string> variants{f};
  const std::string pkg = "package://";
  if (f.rfind(pkg, 0) == 0) {
    f = f.substr(pkg.size());
    variants = {f};
    auto slash = f.find('/');
    if (slash != std::string::npos) variants.push_back(f.substr(slash + 1));
  }
  // GraspQP annotations write "../../<hand folder>/x" relative to the mesh folder; the folder may
  // have been renamed, so also try the path without its leading "../" and first folder.
  std::filesystem::path rel(f);
  std::vector<std::string> parts;
  for (const auto& part : rel) parts.push_back(part.string());
  size_t k = 0;
  while (k < parts.size() && parts[k] == "..") ++k;
  if (k > 0 && k + 1 < parts.size()) {
    std::filesystem::path rest;
    for (size_t i = k + 1; i < parts.size(); ++i) rest /= parts[i];
    variants.push_back(rest.string());
    std::filesystem::path rest_keep;
    for (size_t i = k; i < parts.size(); ++i) rest_keep /= parts[i];
    variants.push_back(rest_keep.string());
  }
  std::error_code ec;
  for (const auto& base : bases)
    for (const auto& v : variants)
      if (std::filesystem::is_regular_file(base / v, ec)) return (base / v).lexically_normal();
  for (const auto& base : bases)
    if (std::filesystem::is_regular_file(base / rel.filename(), ec)) return base / rel.filename();
  return {};
}

std::vector<std::filesystem::path> asset_bases(const std::filesystem::path& hand_dir,
                                               const std::filesystem::path& urdf_path, const std::string& mesh_dir) {
  return {hand_dir / mesh_dir, urdf_path.parent_path(), hand_dir};
}

std::map<std::string, double> link_masses(const std::filesystem::path& urdf_path) {
  std::map<std::string, double> masses;
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(urdf_path.string().c_str()) != tinyxml2::XML_SUCCESS) return masses;
  const auto* robot = doc.FirstChildElement("robot");
  if (!robot) return masses;
  for (const auto* link = robot->FirstChildElement("link"); link; link = link->NextSiblingElement("link")) {
    const char* name = link->Attribute("name");
    const auto* inertial = link->FirstChildElement("inertial");
    const auto* mass = inertial ? inertial->FirstChildElement("mass") : nullptr;
    double v = 0;
    if (name && mass && mass->QueryDoubleAttribute("value", &v) == tinyxml2::XML_SUCCESS && std::isfinite(v) && v > 0)
      masses[name] = v;
  }
  return masses;
}

}  // namespace graspqp::urdf
