// Builds a HandModel from a hand folder: hand.json (settings), the URDF (tree, joints, meshes) and
// GraspQP's annotation files (contact patches, self-collision spheres, grasp types).
#include <graspqp/assets.hpp>
#include <graspqp/error.hpp>
#include <graspqp/geometry/orientation.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/io/json_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <set>

#include "hand/urdf.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace graspqp {

double* init_setting(InitSettings& s, const std::string& key) {
  if (key == "distance_lower") return &s.distance_lower;
  if (key == "distance_upper") return &s.distance_upper;
  if (key == "hull_offset") return &s.hull_offset;
  if (key == "roll_range") return &s.roll_range;
  if (key == "pitch_range") return &s.pitch_range;
  if (key == "tilt_range") return &s.tilt_range;
  if (key == "joint_jitter") return &s.joint_jitter;
  return nullptr;
}

int HandModel::link_index(const std::string& n) const {
  for (size_t i = 0; i < links.size(); ++i)
    if (links[i].name == n) return static_cast<int>(i);
  return -1;
}

bool HandModel::has_grasp_type(const std::string& n) const {
  return std::any_of(grasp_types.begin(), grasp_types.end(), [&](const GraspType& g) { return g.name == n; });
}

const GraspType& HandModel::grasp_type(const std::string& n) const {
  for (const auto& g : grasp_types)
    if (g.name == n) return g;
  std::string known;
  for (const auto& g : grasp_types) known += (known.empty() ? "" : ", ") + g.name;
  throw Error("hand '" + name + "': unknown grasp type '" + n + "' (known: " + (known.empty() ? "none" : known) + ")");
}

Eigen::VectorXd HandModel::default_joints() const {
  Eigen::VectorXd q(dof());
  for (int i = 0; i < dof(); ++i) q[i] = joints[i].default_value;
  return q;
}
Eigen::VectorXd HandModel::lower_limits() const {
  Eigen::VectorXd q(dof());
  for (int i = 0; i < dof(); ++i) q[i] = joints[i].lower;
  return q;
}
Eigen::VectorXd HandModel::upper_limits() const {
  Eigen::VectorXd q(dof());
  for (int i = 0; i < dof(); ++i) q[i] = joints[i].upper;
  return q;
}

Eigen::VectorXd pregrasp_joints(const HandModel& hand, const Eigen::VectorXd& joints, const Eigen::VectorXd& delta,
                                double scale) {
  return (joints - scale * delta).cwiseMax(hand.lower_limits()).cwiseMin(hand.upper_limits());
}

Eigen::VectorXd squeeze_joints(const HandModel& hand, const Eigen::VectorXd& joints, const Eigen::VectorXd& delta,
                               double scale) {
  return (joints + scale * delta).cwiseMax(hand.lower_limits()).cwiseMin(hand.upper_limits());
}

fs::path resolve_hand_directory(const std::string& name_or_path) {
  fs::path p(name_or_path);
  std::error_code ec;
  if (fs::is_regular_file(p / "hand.json", ec)) return fs::absolute(p);
  if (p.filename() == "hand.json" && fs::is_regular_file(p, ec)) return fs::absolute(p.parent_path());
  fs::path bundled = assets_dir() / "hands" / name_or_path;
  if (name_or_path.find('/') == std::string::npos && fs::is_regular_file(bundled / "hand.json", ec)) return bundled;
  std::string known;
  for (const auto& n : bundled_hand_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown hand '" + name_or_path + "': not a bundled hand (" + known + ") nor a folder with a hand.json");
}

std::vector<std::string> bundled_hand_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(assets_dir() / "hands", ec))
    if (fs::is_regular_file(e.path() / "hand.json")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// The convex hull's faces as half-spaces holding every vertex of `mesh` (LinkModel::collision_hull);
// none for a flat mesh (Qhull refuses it).
Eigen::Matrix<double, Eigen::Dynamic, 4, Eigen::RowMajor> hull_half_spaces(const TriangleMesh& mesh) {
  Eigen::Matrix<double, Eigen::Dynamic, 4, Eigen::RowMajor> planes;
  TriangleMesh hull;
  try {
    hull = convex_hull(mesh.vertices);
  } catch (const Error&) {
    return planes;
  }
  planes.resize(static_cast<Eigen::Index>(hull.faces.size()), 4);
  Eigen::Index rows = 0;
  for (const auto& f : hull.faces) {
    const Vec3 n = (hull.vertices[f[1]] - hull.vertices[f[0]]).cross(hull.vertices[f[2]] - hull.vertices[f[0]]);
    if (!(n.norm() > 0)) continue;
    const Vec3 unit = n.normalized();
    double b = -std::numeric_limits<double>::infinity();
    for (const Vec3& v : mesh.vertices) b = std::max(b, unit.dot(v));
    planes.row(rows++) << unit.x(), unit.y(), unit.z(), b;
  }
  planes.conservativeResize(rows, 4);
  return planes;
}

// Typed reads of the hand's JSON files: a value of the wrong type or out of range is refused with the
// file and the entry named (never a nlohmann exception, never a silent conversion).
[[noreturn]] void json_fail(const fs::path& file, const std::string& what) { throw Error(file.string() + ": " + what); }

double json_number(const json& v, const fs::path& file, const std::string& what) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) json_fail(file, what + " must be a finite number");
  return v.get<double>();
}

int json_count(const json& v, const fs::path& file, const std::string& what, int max) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > max)
    json_fail(file, what + " must be an integer in [0, " + std::to_string(max) + "]");
  return static_cast<int>(v.get<std::int64_t>());
}

std::string json_text(const json& v, const fs::path& file, const std::string& what) {
  if (!v.is_string()) json_fail(file, what + " must be a string");
  return v.get<std::string>();
}

const json& json_object(const json& v, const fs::path& file, const std::string& what) {
  if (!v.is_object()) json_fail(file, what + " must be a JSON object");
  return v;
}

Vec3 json_vec3(const json& j, const std::string& key, const Vec3& fallback, const fs::path& file) {
  if (!j.contains(key)) return fallback;
  const json& v = j.at(key);
  if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
    throw Error(file.string() + ": '" + key + "' must be an array of 3 numbers");
  Vec3 out(v[0].get<double>(), v[1].get<double>(), v[2].get<double>());
  if (!out.allFinite() || !std::isfinite(out.norm())) throw Error(file.string() + ": '" + key + "' must be finite");
  if (out.norm() < 1e-12) throw Error(file.string() + ": '" + key + "' must not be zero");
  return out.normalized();
}

TriangleMesh geometry_mesh(const urdf::Geometry& g, const std::vector<fs::path>& bases, bool required,
                           const std::string& what, const fs::path& urdf_path, std::vector<std::string>& warnings) {
  TriangleMesh mesh;
  switch (g.kind) {
    case urdf::Geometry::Kind::Box:
      mesh = make_box(g.size);
      break;
    case urdf::Geometry::Kind::Cylinder:
      mesh = make_cylinder(g.radius, g.length);
      break;
    case urdf::Geometry::Kind::Sphere:
      mesh = make_sphere(g.radius);
      break;
    case urdf::Geometry::Kind::Mesh: {
      fs::path file = urdf::resolve_asset(g.filename, bases);
      if (file.empty()) {
        if (required) throw Error(urdf_path.string() + ": " + what + " mesh '" + g.filename + "' not found");
        warnings.push_back(urdf_path.string() + ": " + what + " mesh '" + g.filename + "' not found; skipped");
        return {};
      }
      mesh = load_mesh(file, g.scale);
      break;
    }
  }
  transform_mesh(mesh, g.origin);
  return mesh;
}

Eigen::Affine3d annotation_frame_of(const urdf::Geometry& g) {
  Eigen::Affine3d A = Eigen::Affine3d::Identity();
  A.linear() = g.origin.linear() * (g.kind == urdf::Geometry::Kind::Mesh ? g.scale : Vec3::Ones()).asDiagonal();
  A.translation() = g.origin.translation();
  return A;
}

struct Coupling {
  std::string follows;
  double multiplier = 1.0, offset = 0.0;
};

}  // namespace

HandModel load_hand(const std::string& name_or_path, const HandLoadOptions& options) {
  HandModel model;
  model.directory = resolve_hand_directory(name_or_path);
  const fs::path config_path = model.directory / "hand.json";
  const json config = read_json_file(config_path);
  json_object(config, config_path, "the file");
  auto get_string = [&](const std::string& key, const std::string& fallback) {
    if (!config.contains(key)) return fallback;
    if (!config.at(key).is_string()) throw Error(config_path.string() + ": '" + key + "' must be a string");
    return config.at(key).get<std::string>();
  };
  model.name = get_string("name", model.directory.filename().string());
  const std::string urdf_name = get_string("urdf", "");
  if (urdf_name.empty()) throw Error(config_path.string() + ": 'urdf' (the URDF file name) is missing");
  model.urdf_path = model.directory / urdf_name;
  const std::vector<fs::path> bases = urdf::asset_bases(model.directory, model.urdf_path, get_string("mesh_dir", "."));
  if (config.contains("visual_as_collision") && !config.at("visual_as_collision").is_boolean())
    throw Error(config_path.string() + ": 'visual_as_collision' must be true or false");
  const bool visual_as_collision = config.value("visual_as_collision", true);
  model.approach_axis = json_vec3(config, "approach_axis", Vec3::UnitZ(), config_path);
  model.up_axis = json_vec3(config, "up_axis", Vec3::UnitX(), config_path);
  model.grasp_axis = json_vec3(config, "grasp_axis", model.approach_axis, config_path);
  if (config.contains("init")) {
    InitSettings known;
    const auto& init = config.at("init");
    if (!init.is_object()) throw Error(config_path.string() + ": \"init\" must be an object");
    for (const auto& [key, value] : init.items()) {
      if (key.rfind("_", 0) == 0) continue;  // comments
      if (!init_setting(known, key)) throw Error(config_path.string() + ": unknown init setting '" + key + "'");
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0)
        throw Error(config_path.string() + ": init setting '" + key + "' must be a non-negative number");
      model.init_defaults[key] = value.get<double>();
    }
  }

  if (config.contains("sim")) model.sim_config = config.at("sim");

  const urdf::Robot robot = urdf::parse_file(model.urdf_path);
  const std::string urdf_str = model.urdf_path.string();

  // --- Tree: root = the one link that is no joint's child; children in joint file order.
  std::map<std::string, const urdf::Link*> link_by_name;
  for (const auto& l : robot.links) {
    if (link_by_name.count(l.name)) throw Error(urdf_str + ": duplicate link '" + l.name + "'");
    link_by_name[l.name] = &l;
  }
  std::map<std::string, std::vector<const urdf::Joint*>> children_of;
  std::set<std::string> child_links;
  std::map<std::string, const urdf::Joint*> joint_by_name;
  for (const auto& j : robot.joints) {
    if (!link_by_name.count(j.parent))
      throw Error(urdf_str + ": joint '" + j.name + "' names unknown parent link '" + j.parent + "'");
    if (!link_by_name.count(j.child))
      throw Error(urdf_str + ": joint '" + j.name + "' names unknown child link '" + j.child + "'");
    if (!child_links.insert(j.child).second) throw Error(urdf_str + ": link '" + j.child + "' has two parent joints");
    if (joint_by_name.count(j.name)) throw Error(urdf_str + ": duplicate joint '" + j.name + "'");
    joint_by_name[j.name] = &j;
    children_of[j.parent].push_back(&j);
  }
  std::vector<std::string> roots;
  for (const auto& l : robot.links)
    if (!child_links.count(l.name)) roots.push_back(l.name);
  if (roots.size() != 1)
    throw Error(urdf_str + ": expected one root link, found " + std::to_string(roots.size()) +
                (roots.size() > 1 ? " (" + roots[0] + ", " + roots[1] + ", ...)" : ""));

  // Couplings from hand.json for joints without mimic tags (e.g. Panda, Robotiq 2F-140).
  std::map<std::string, Coupling> couplings;
  if (config.contains("couplings")) {
    if (!config.at("couplings").is_array()) throw Error(config_path.string() + ": 'couplings' must be a list");
    for (const auto& c : config.at("couplings")) {
      if (!c.is_object() || !c.contains("joint") || !c.contains("follows"))
        throw Error(config_path.string() + ": each coupling needs 'joint' and 'follows'");
      Coupling cp{
          json_text(c.at("follows"), config_path, "coupling 'follows'"),
          c.contains("multiplier") ? json_number(c.at("multiplier"), config_path, "coupling 'multiplier'") : 1.0,
          c.contains("offset") ? json_number(c.at("offset"), config_path, "coupling 'offset'") : 0.0};
      const std::string jn = json_text(c.at("joint"), config_path, "coupling 'joint'");
      if (!joint_by_name.count(jn)) throw Error(config_path.string() + ": coupling names unknown joint '" + jn + "'");
      if (!joint_by_name.count(cp.follows))
        throw Error(config_path.string() + ": coupling follows unknown joint '" + cp.follows + "'");
      couplings[jn] = cp;
    }
  }
  for (const auto& j : robot.joints)
    if (j.mimic && !couplings.count(j.name)) {
      if (!joint_by_name.count(j.mimic->joint))
        throw Error(urdf_str + ": joint '" + j.name + "' mimics unknown joint '" + j.mimic->joint + "'");
      couplings[j.name] = Coupling{j.mimic->joint, j.mimic->multiplier, j.mimic->offset};
    }

  // Depth-first pre-order.
  std::function<void(const std::string&, int, const urdf::Joint*)> visit = [&](const std::string& name, int parent,
                                                                               const urdf::Joint* joint) {
    LinkModel link;
    link.name = name;
    link.parent = parent;
    if (joint) {
      link.joint_name = joint->name;
      link.joint_origin = joint->origin;
      link.joint_axis = joint->axis;
      link.joint_type = joint->type == "fixed"       ? JointType::Fixed
                        : joint->type == "prismatic" ? JointType::Prismatic
                                                     : JointType::Revolute;
      link.joint_has_limits = joint->has_limits && joint->type != "continuous";
      link.joint_lower = link.joint_has_limits ? joint->lower : -M_PI;
      link.joint_upper = link.joint_has_limits ? joint->upper : M_PI;
      if (link.joint_type != JointType::Fixed && link.joint_has_limits && link.joint_lower > link.joint_upper)
        throw Error(urdf_str + ": joint '" + joint->name + "' has lower limit above upper limit");
    }
    const int index = static_cast<int>(model.links.size());
    model.links.push_back(std::move(link));
    if (parent >= 0) model.links[parent].children.push_back(index);
    auto it = children_of.find(name);
    if (it != children_of.end())
      for (const urdf::Joint* j : it->second) visit(j->child, index, j);
  };
  visit(roots[0], -1, nullptr);
  if (model.links.size() != robot.links.size())
    throw Error(urdf_str + ": " + std::to_string(robot.links.size() - model.links.size()) +
                " links are not connected to the root '" + roots[0] + "'");

  // --- Actuated joints: non-fixed, uncoupled joints in tree order.
  std::map<std::string, int> link_of_joint;
  for (size_t l = 0; l < model.links.size(); ++l)
    if (!model.links[l].joint_name.empty()) link_of_joint[model.links[l].joint_name] = static_cast<int>(l);
  for (size_t l = 0; l < model.links.size(); ++l) {
    LinkModel& link = model.links[l];
    if (link.joint_type == JointType::Fixed || couplings.count(link.joint_name)) continue;
    if (!link.joint_has_limits && link.joint_type == JointType::Prismatic)
      throw Error(urdf_str + ": prismatic joint '" + link.joint_name + "' has no limits");
    ActuatedJoint aj;
    aj.name = link.joint_name;
    aj.link = static_cast<int>(l);
    aj.type = link.joint_type;
    aj.lower = link.joint_lower;
    aj.upper = link.joint_upper;
    link.actuated = static_cast<int>(model.joints.size());
    model.joints.push_back(aj);
  }
  for (auto& link : model.links) {
    auto it = couplings.find(link.joint_name);
    if (it == couplings.end() || link.joint_type == JointType::Fixed) continue;
    // Follow chains of couplings down to an actuated joint.
    double mult = it->second.multiplier, off = it->second.offset;
    std::string leader = it->second.follows;
    for (int guard = 0; couplings.count(leader); ++guard) {
      if (guard > 32) throw Error(urdf_str + ": cyclic mimic/coupling at joint '" + link.joint_name + "'");
      const Coupling& c = couplings.at(leader);
      off = mult * c.offset + off;
      mult *= c.multiplier;
      leader = c.follows;
    }
    const LinkModel& lead = model.links[link_of_joint.at(leader)];
    if (lead.actuated < 0)
      throw Error(urdf_str + ": joint '" + link.joint_name + "' follows fixed joint '" + leader + "'");
    link.actuated = lead.actuated;
    link.multiplier = mult;
    link.offset = off;
  }

  // Default pose: hand.json "default_pose" {joint: value}, clamped to the limits.
  for (auto& j : model.joints) j.default_value = std::clamp(0.0, j.lower, j.upper);
  if (config.contains("default_pose")) {
    for (const auto& item : json_object(config.at("default_pose"), config_path, "'default_pose'").items()) {
      const std::string jn = item.key();
      auto it =
          std::find_if(model.joints.begin(), model.joints.end(), [&](const ActuatedJoint& a) { return a.name == jn; });
      if (it == model.joints.end())
        throw Error(config_path.string() + ": default_pose names unknown actuated joint '" + jn + "'");
      it->default_value =
          std::clamp(json_number(item.value(), config_path, "default_pose of '" + jn + "'"), it->lower, it->upper);
    }
  }

  // --- Geometry: collisions, or visuals for links without collisions (as the reference).
  for (auto& link : model.links) {
    const urdf::Link& ul = *link_by_name.at(link.name);
    if (options.load_visual)
      for (const auto& g : ul.visuals)
        append_mesh(link.visual_mesh, geometry_mesh(g, bases, false, "visual of link '" + link.name + "'",
                                                    model.urdf_path, model.warnings));
    const bool use_visual = ul.collisions.empty() && visual_as_collision;
    const auto& used = use_visual ? ul.visuals : ul.collisions;
    for (const auto& g : used)
      append_mesh(
          link.collision_mesh,
          geometry_mesh(g, bases, true,
                        (use_visual ? "visual (used as collision) of link '" : "collision of link '") + link.name + "'",
                        model.urdf_path, model.warnings));
    if (!used.empty()) link.annotation_frame = annotation_frame_of(used.back());
    if (!link.collision_mesh.empty()) {
      orient_outward(link.collision_mesh);
      // Several geometry elements or mesh components overlap in general (LEAP's and Barrett's boxes, some
      // Shadow links): their merged mesh is no closed surface. The field takes the union's sign when the
      // mesh has more than one component (and is the plain field otherwise).
      SdfOptions sdf_options;
      sdf_options.union_of_parts = true;
      link.collision_sdf = std::make_shared<SignedDistanceField>(link.collision_mesh, sdf_options);
      link.collision_box = link.collision_mesh.bounding_box();
      link.collision_grid = std::make_shared<DistanceGrid>(*link.collision_sdf, 16, 0.0);
      link.collision_hull = hull_half_spaces(link.collision_mesh);
      link.bound_center = link.collision_box.center();
      for (const auto& v : link.collision_mesh.vertices)
        link.bound_radius = std::max(link.bound_radius, (v - link.bound_center).norm());
    }
  }

  // --- Surface points: the count split over links by collision area, farthest-point spread per link.
  {
    double total_area = 0;
    for (const auto& link : model.links)
      total_area += link.collision_mesh.empty() ? 0.0 : link.collision_mesh.surface_area();
    for (size_t l = 0; l < model.links.size() && total_area > 0; ++l) {
      LinkModel& link = model.links[l];
      link.surface_begin = link.surface_end = static_cast<int>(model.surface_points.size());
      if (link.collision_mesh.empty()) continue;
      const int n =
          std::max(1, static_cast<int>(options.surface_points * link.collision_mesh.surface_area() / total_area));
      const auto dense = sample_surface(link.collision_mesh, 20 * n, options.candidate_seed + l);
      std::vector<Vec3> pts;
      for (const auto& s : dense) pts.push_back(s.position);
      for (int idx : farthest_point_sampling(pts, std::min<int>(n, pts.size()), 0))
        model.surface_points.push_back({static_cast<int>(l), pts[idx]});
      link.surface_end = static_cast<int>(model.surface_points.size());
    }
  }

  // --- Self-collision spheres.
  const fs::path spheres_path = model.directory / get_string("penetration_points", "penetration_points.json");
  if (fs::exists(spheres_path)) {
    const json spheres = read_json_file(spheres_path);
    json_object(spheres, spheres_path, "the file");
    for (size_t l = 0; l < model.links.size(); ++l) {
      const LinkModel& link = model.links[l];
      if (!spheres.contains(link.name)) continue;
      if (!link.collision_sdf) {
        model.warnings.push_back(spheres_path.string() + ": spheres of link '" + link.name +
                                 "' ignored (link has no geometry)");
        continue;
      }
      if (!spheres.at(link.name).is_array())
        throw Error(spheres_path.string() + ": the spheres of link '" + link.name + "' must be a list");
      for (const auto& s : spheres.at(link.name)) {
        const std::string what = "sphere of link '" + link.name + "'";
        if (!s.is_array() || (s.size() != 3 && s.size() != 4))
          throw Error(spheres_path.string() + ": " + what + " must be [x, y, z, r] or [x, y, z]");
        CollisionSphere sphere;
        sphere.link = static_cast<int>(l);
        const Vec3 c(json_number(s[0], spheres_path, what), json_number(s[1], spheres_path, what),
                     json_number(s[2], spheres_path, what));
        if (s.size() == 4) {
          sphere.center = link.annotation_frame * c;
          sphere.radius = json_number(s[3], spheres_path, what);
        } else {
          sphere.center = c;
          sphere.radius = 0.01;
        }
        if (!(sphere.radius > 0) || !sphere.center.allFinite())
          throw Error(spheres_path.string() + ": sphere of link '" + link.name + "' has a non-positive radius");
        model.spheres.push_back(sphere);
      }
    }
    for (const auto& [ln, v] : spheres.items())
      if (model.link_index(ln) < 0)
        model.warnings.push_back(spheres_path.string() + ": spheres name unknown link '" + ln + "'; ignored");
  }

  // --- Contact candidates per grasp type.
  const fs::path contacts_path = model.directory / get_string("contact_points", "contact_points.json");
  const fs::path types_path = model.directory / get_string("grasp_types", "eigengrasps.json");
  if (fs::exists(contacts_path)) {
    const json patches = read_json_file(contacts_path);
    json_object(patches, contacts_path, "the file");
    for (const auto& [ln, v] : patches.items())
      if (!v.is_array()) throw Error(contacts_path.string() + ": the entries of link '" + ln + "' must be a list");
    for (const auto& [ln, v] : patches.items())
      if (model.link_index(ln) < 0) {
        if (!v.empty()) throw Error(contacts_path.string() + ": unknown link '" + ln + "'");
        model.warnings.push_back(contacts_path.string() + ": empty entry for unknown link '" + ln + "' ignored");
      }
    // Grasp type -> link -> number of points (absent: the contact_points.json count).
    std::vector<std::pair<std::string, std::map<std::string, int>>> types;
    json type_json = fs::exists(types_path) ? read_json_file(types_path) : json::object();
    json_object(type_json, types_path, "the file");
    if (!type_json.contains("full")) {
      std::map<std::string, int> all;
      for (const auto& [ln, entries] : patches.items()) {
        int n = 0;
        for (const auto& e : entries)
          n += e.is_array() && e.size() == 2
                   ? json_count(e[1], contacts_path, "the point count of link '" + ln + "'", 100000)
                   : 1;
        if (n > 0) all[ln] = n;
      }
      types.emplace_back("full", all);
    }
    for (const auto& [tn, links] : type_json.items()) {
      std::map<std::string, int> counts;
      for (const auto& [ln, spec] : json_object(links, types_path, "grasp type '" + tn + "'").items()) {
        if (model.link_index(ln) < 0)
          throw Error(types_path.string() + ": grasp type '" + tn + "' names unknown link '" + ln + "'");
        const std::string what = "grasp type '" + tn + "' link '" + ln + "'";
        json_object(spec, types_path, what);
        counts[ln] =
            spec.contains("n_points") ? json_count(spec.at("n_points"), types_path, what + " n_points", 100000) : 0;
      }
      if (tn == "full")
        types.insert(types.begin(), {tn, counts});
      else
        types.emplace_back(tn, counts);
    }

    std::map<std::string, TriangleMesh> patch_cache;
    for (const auto& [tn, counts] : types) {
      GraspType gt;
      gt.name = tn;
      for (size_t l = 0; l < model.links.size(); ++l) {
        const LinkModel& link = model.links[l];
        auto cit = counts.find(link.name);
        if (cit == counts.end() || !patches.contains(link.name)) continue;
        if (!link.collision_sdf)
          throw Error(contacts_path.string() + ": link '" + link.name + "' has contacts but no geometry");
        for (const auto& entry : patches.at(link.name)) {
          std::vector<Vec3> points;
          if (!entry.is_array())
            throw Error(contacts_path.string() + ": entry of link '" + link.name + "' must be [mesh, n] or [x, y, z]");
          if (entry.size() == 2 && entry[0].is_string()) {
            const std::string mesh_name = entry[0].get<std::string>();
            const fs::path file = urdf::resolve_asset(mesh_name, bases);
            if (file.empty()) throw Error(contacts_path.string() + ": contact mesh '" + mesh_name + "' not found");
            auto pit = patch_cache.find(file.string());
            if (pit == patch_cache.end()) pit = patch_cache.emplace(file.string(), load_mesh(file)).first;
            // One patch per link in the shipped files; with several, the count applies to each.
            const int n = cit->second > 0 ? cit->second
                                          : json_count(entry[1], contacts_path,
                                                       "the point count of link '" + link.name + "'", 100000);
            auto dense = sample_surface(pit->second, options.patch_samples, options.candidate_seed);
            std::vector<Vec3> dense_points;
            dense_points.reserve(dense.size());
            for (const auto& s : dense) dense_points.push_back(s.position);
            for (int idx : farthest_point_sampling(dense_points, std::min<int>(n, dense_points.size()), 0))
              points.push_back(link.annotation_frame * dense_points[idx]);
          } else if (entry.size() == 3) {
            // Explicit points get the geometry origin only, without the mesh scale (as the reference).
            Eigen::Affine3d origin = Eigen::Affine3d::Identity();
            const Mat3 scaled = link.annotation_frame.linear();
            origin.linear() = scaled * scaled.colwise().norm().cwiseInverse().asDiagonal();
            origin.translation() = link.annotation_frame.translation();
            const std::string what = "contact point of link '" + link.name + "'";
            points.push_back(origin * Vec3(json_number(entry[0], contacts_path, what),
                                           json_number(entry[1], contacts_path, what),
                                           json_number(entry[2], contacts_path, what)));
          } else {
            throw Error(contacts_path.string() + ": entry of link '" + link.name + "' must be [mesh, n] or [x, y, z]");
          }
          for (const Vec3& p : points) {
            ContactCandidate c;
            c.link = static_cast<int>(l);
            // Contact patches are separate meshes a little off the collision surface (reference quirk 3);
            // candidates are projected onto it so that contact distance and penetration agree.
            const SdfResult r = link.collision_sdf->query(p);
            c.position = r.closest;
            c.normal = link.collision_mesh.face_normal(r.face);
            gt.candidates.push_back(c);
          }
        }
      }
      if (config.contains("grasp_type_init") &&
          json_object(config.at("grasp_type_init"), config_path, "'grasp_type_init'").contains(tn))
        for (const auto& item :
             json_object(config.at("grasp_type_init").at(tn), config_path, "grasp_type_init of '" + tn + "'").items()) {
          const std::string jn = item.key();
          const json& v = item.value();
          auto jt = std::find_if(model.joints.begin(), model.joints.end(),
                                 [&](const ActuatedJoint& a) { return a.name == jn; });
          if (jt == model.joints.end())
            throw Error(config_path.string() + ": grasp_type_init of '" + tn + "' names unknown joint '" + jn + "'");
          // "upper"/"lower" name the joint limit (e.g. curled unused fingers for pinch grasps).
          const std::string what = "grasp_type_init of '" + tn + "' joint '" + jn + "'";
          if (v.is_string() && v.get<std::string>() != "upper" && v.get<std::string>() != "lower")
            throw Error(config_path.string() + ": " + what + " must be a number, \"upper\" or \"lower\"");
          gt.init_pose[jn] = v.is_string() ? (v.get<std::string>() == "upper" ? jt->upper : jt->lower)
                                           : json_number(v, config_path, what);
        }
      model.grasp_types.push_back(std::move(gt));
    }
  }
  return model;
}

}  // namespace graspqp
