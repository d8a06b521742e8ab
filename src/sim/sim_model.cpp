// MJCF generation and compilation for the physics evaluation.
#include <graspqp/error.hpp>
#include <graspqp/geometry/sampling.hpp>
#include <graspqp/io/sha256.hpp>
#include <graspqp/io/xml_escape.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <mujoco/mujoco.h>
#include "internal.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include "hand/urdf.hpp"

namespace graspqp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", std::abs(v) < 1e-300 ? 0.0 : v);
  return buf;
}
std::string vec3(const Vec3& v) { return num(v.x()) + " " + num(v.y()) + " " + num(v.z()); }
std::string quat_wxyz(const Mat3& R) {
  Eigen::Quaterniond q(R);
  q.normalize();
  if (q.w() < 0) q.coeffs() *= -1;
  return num(q.w()) + " " + num(q.x()) + " " + num(q.y()) + " " + num(q.z());
}
std::string mesh_vertices(const TriangleMesh& m) {
  std::string s;
  s.reserve(m.vertices.size() * 36);
  char buf[96];
  for (const auto& v : m.vertices) {
    std::snprintf(buf, sizeof buf, "%.7g %.7g %.7g ", v.x(), v.y(), v.z());
    s += buf;
  }
  if (!s.empty()) s.pop_back();
  return s;
}

JointSimParams read_joint_params(const json& j, JointSimParams p, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (!k.empty() && k[0] == '_') continue;  // comments
    if (!it.value().is_number()) continue;    // nested sections handled by the caller
    const double v = it.value().get<double>();
    if (!std::isfinite(v) || std::abs(v) > 1e9)
      throw Error(where + ": '" + k + "' must be a finite number of at most 1e9");
    if (k == "kp")
      p.kp = v;
    else if (k == "damping")
      p.damping = v;
    else if (k == "force_limit")
      p.force_limit = v;
    else if (k == "armature")
      p.armature = v;
    else if (k == "frictionloss")
      p.frictionloss = v;
    else if (k == "max_velocity")
      p.max_velocity = v;
  }
  if (!(p.kp > 0) || !(p.force_limit > 0) || p.damping < 0 || p.armature < 0 || p.frictionloss < 0 ||
      p.max_velocity < 0)
    throw Error(where + ": kp and force_limit must be > 0, damping/armature/frictionloss/max_velocity >= 0");
  return p;
}

std::string mesh_key(const TriangleMesh& m) {
  std::string bytes;
  bytes.append(reinterpret_cast<const char*>(m.vertices.data()), m.vertices.size() * sizeof(Vec3));
  bytes.append(reinterpret_cast<const char*>(m.faces.data()), m.faces.size() * sizeof(Eigen::Vector3i));
  return sha256_string(bytes);
}

// MuJoCo's global error / warning hooks: errors become C++ exceptions (the engine is built with unwind
// tables), warnings are counted per thread instead of being written to MUJOCO_LOG.TXT.
thread_local std::string mujoco_last_warning;
void mujoco_error_handler(const char* msg) { throw Error(std::string("MuJoCo: ") + msg); }
void mujoco_warning_handler(const char* msg) { mujoco_last_warning = msg; }

std::mutex& compile_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void install_mujoco_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_error = mujoco_error_handler;
    mju_user_warning = mujoco_warning_handler;
  });
}

HandSimParams hand_sim_params(const HandModel& hand) {
  HandSimParams out;
  const std::string where = (hand.directory / "hand.json").string() + ": sim";
  JointSimParams revolute, prismatic;
  prismatic.kp = 1000;
  prismatic.damping = 10;
  prismatic.force_limit = 50;
  prismatic.armature = 0.01;
  const json sim = hand.sim_config.is_null() ? json::object() : hand.sim_config;
  out.from_hand_json = !hand.sim_config.is_null();
  if (!sim.is_object()) throw Error(where + ": expected an object");
  revolute = read_joint_params(sim, revolute, where);
  if (sim.contains("prismatic")) prismatic = read_joint_params(sim.at("prismatic"), prismatic, where + ".prismatic");
  auto number = [&](const char* key, double& field, double hi) {
    if (!sim.contains(key)) return;
    const json& v = sim.at(key);
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= hi))
      throw Error(where + ": '" + key + "' must be a number in [0, " + std::to_string(static_cast<long long>(hi)) +
                  "]");
    field = v.get<double>();
  };
  number("passive_damping", out.passive_damping, 1e6);
  number("passive_armature", out.passive_armature, 1e6);
  number("default_link_mass", out.default_link_mass, 1000);
  if (!(out.default_link_mass > 0)) throw Error(where + ": 'default_link_mass' must be > 0");
  for (const auto& j : hand.joints) out.joints.push_back(j.type == JointType::Prismatic ? prismatic : revolute);
  if (sim.contains("joints")) {
    if (!sim.at("joints").is_object()) throw Error(where + ".joints: expected an object");
    for (auto it = sim.at("joints").begin(); it != sim.at("joints").end(); ++it) {
      int index = -1;
      for (int a = 0; a < hand.dof(); ++a)
        if (hand.joints[a].name == it.key()) index = a;
      if (index < 0) throw Error(where + ".joints: '" + it.key() + "' is not an actuated joint of " + hand.name);
      out.joints[index] = read_joint_params(it.value(), out.joints[index], where + ".joints." + it.key());
    }
  }
  return out;
}

json hand_sim_params_json(const HandModel& hand, const HandSimParams& p) {
  json joints = json::object();
  for (int a = 0; a < hand.dof(); ++a) {
    const auto& j = p.joints[a];
    joints[hand.joints[a].name] = {{"kp", j.kp},
                                   {"damping", j.damping},
                                   {"force_limit", j.force_limit},
                                   {"armature", j.armature},
                                   {"frictionloss", j.frictionloss},
                                   {"max_velocity", j.max_velocity}};
  }
  return {{"joints", joints},
          {"passive_damping", p.passive_damping},
          {"passive_armature", p.passive_armature},
          {"default_link_mass", p.default_link_mass},
          {"source", p.from_hand_json ? "hand.json sim" : "built-in defaults"}};
}

MassProperties mesh_mass_properties(const TriangleMesh& mesh) {
  MassProperties mp;
  if (mesh.faces.empty()) return mp;
  Vec3 ref = Vec3::Zero();
  for (const auto& v : mesh.vertices) ref += v;
  ref /= mesh.vertices.size();
  double volume = 0;
  Vec3 first = Vec3::Zero();
  Mat3 second = Mat3::Zero();  // integral of x x^T (about ref)
  for (const auto& f : mesh.faces) {
    const Vec3 a = mesh.vertices[f[0]] - ref, b = mesh.vertices[f[1]] - ref, c = mesh.vertices[f[2]] - ref;
    const double v = a.dot(b.cross(c)) / 6.0;
    volume += v;
    const Vec3 s = a + b + c;
    first += v * s / 4.0;
    second += (v / 20.0) * (a * a.transpose() + b * b.transpose() + c * c.transpose() + s * s.transpose());
  }
  mp.volume = volume;
  if (!(std::abs(volume) > 1e-15)) return mp;
  const Vec3 com_rel = first / volume;
  mp.com = com_rel + ref;
  const Mat3 C = second - volume * com_rel * com_rel.transpose();  // about the COM
  mp.inertia = (C.trace() * Mat3::Identity() - C) / volume;        // per unit mass
  return mp;
}

std::vector<std::vector<TriangleMesh>> hand_convex_parts(const HandModel& hand, const SimSceneOptions& options) {
  std::vector<std::vector<TriangleMesh>> parts(hand.links.size());
  for (size_t l = 0; l < hand.links.size(); ++l) {
    const TriangleMesh& mesh = hand.links[l].collision_mesh;
    if (mesh.faces.empty()) continue;
    for (const TriangleMesh& comp : connected_components(mesh)) {
      if (comp.faces.size() < 4 || hull_concavity(comp) <= options.hand_concavity_threshold) {
        TriangleMesh h = solid_convex_hull(comp.vertices);
        if (!h.faces.empty()) parts[l].push_back(std::move(h));
        continue;
      }
      // Concave component: HACD, cached by the component's exact geometry.
      const std::string key =
          sha256_string("hand-v1|" + mesh_key(comp) + "|" + hacd_cache_key("", 1.0, options.hand_hacd));
      const fs::path cache = options.cache_dir.empty() ? fs::path() : options.cache_dir / (key + "-hacd.obj");
      std::vector<TriangleMesh> sub;
      if (!cache.empty() && fs::exists(cache)) {
        try {
          sub = read_parts_obj(cache);
        } catch (const Error&) {
          sub.clear();
        }
      }
      if (sub.empty()) {
        sub = hacd_decompose(comp, options.hand_hacd);
        if (!cache.empty()) {
          std::error_code ec;
          fs::create_directories(options.cache_dir, ec);
          try {
            if (!ec) write_parts_obj(cache, sub, "HACD parts of link " + hand.links[l].name + " of " + hand.name);
          } catch (const Error&) {
          }
        }
      }
      for (auto& s : sub) parts[l].push_back(std::move(s));
    }
  }
  return parts;
}

std::shared_ptr<const SimScene> build_sim_scene(const HandModel& hand, const ObjectModel& object,
                                                const SimProtocol& protocol, const SimSceneOptions& options) {
  validate_protocol(protocol);
  install_mujoco_handlers();
  auto scene = std::make_shared<SimScene>();
  scene->protocol = protocol;
  scene->hand_params = hand_sim_params(hand);
  // The protocol's gains replace hand.json's for revolute joints (DexGraspBench drives fingers with kp 5).
  for (int a = 0; a < hand.dof(); ++a) {
    if (hand.joints[a].type == JointType::Prismatic) continue;
    JointSimParams& jp = scene->hand_params.joints[a];
    if (protocol.joint_kp > 0) jp.kp = protocol.joint_kp;
    if (protocol.joint_damping >= 0) jp.damping = protocol.joint_damping;
    if (protocol.joint_frictionloss >= 0) jp.frictionloss = protocol.joint_frictionloss;
  }
  const HandSimParams& hp = scene->hand_params;
  const bool floating = protocol.hand_root == "floating";

  // ---- geometry ----
  const auto hand_parts = hand_convex_parts(hand, options);
  ObjectPartsResult obj =
      object_convex_parts(object.path, object.scale, options.object_hacd, options.cache_dir, options.object_parts);
  if (obj.parts.empty()) throw Error(object.path.string() + ": the convex decomposition produced no parts");
  scene->object_parts = static_cast<int>(obj.parts.size());
  scene->object_parts_source = obj.source;
  scene->decomposition_seconds = obj.seconds;

  // ---- object mass properties: the mesh (if closed and positive), else the convex hull ----
  MassProperties mp = mesh_mass_properties(object.mesh);
  const MassProperties hull_mp = mesh_mass_properties(object.hull);
  if (!(mp.volume > 0.02 * hull_mp.volume) || !mp.inertia.allFinite()) mp = hull_mp;
  if (!(mp.volume > 0)) throw Error(object.path.string() + ": object has no volume");
  const double mass = protocol.object_mass > 0 ? protocol.object_mass : protocol.object_density * mp.volume;
  Mat3 inertia = mp.inertia * mass;
  // Guard against degenerate principal moments (thin objects).
  Eigen::SelfAdjointEigenSolver<Mat3> es(inertia);
  const double floor = std::max(1e-9, 1e-4 * es.eigenvalues().maxCoeff());
  inertia = es.eigenvectors() * es.eigenvalues().cwiseMax(floor).asDiagonal() * es.eigenvectors().transpose();
  scene->object_mass = mass;
  scene->object_volume = mp.volume;
  scene->object_com = mp.com;
  for (const auto& part : obj.parts)
    for (const auto& v : part.vertices) scene->object_radius = std::max(scene->object_radius, (v - mp.com).norm());
  {
    // Upper bound over all joint values: chain of joint-origin offsets (+ prismatic travel) + link bounds.
    std::vector<double> origin_reach(hand.links.size(), 0.0);
    for (size_t l = 0; l < hand.links.size(); ++l) {
      const LinkModel& link = hand.links[l];
      if (link.parent >= 0) {
        origin_reach[l] = origin_reach[link.parent] + link.joint_origin.translation().norm();
        if (link.joint_type == JointType::Prismatic)
          origin_reach[l] +=
              std::max(std::abs(link.joint_lower), std::abs(link.joint_upper)) * std::abs(link.multiplier) +
              std::abs(link.offset);
      }
      if (!link.collision_mesh.faces.empty())
        scene->hand_reach = std::max(scene->hand_reach, origin_reach[l] + link.bound_center.norm() + link.bound_radius);
    }
  }

  const auto masses = urdf::link_masses(hand.urdf_path);

  // ---- MJCF ----
  std::ostringstream x;
  const double detect = std::max(0.0, protocol.contact_detect_distance);
  x << "<mujoco model=\"graspqp-eval\">\n";
  x << " <compiler angle=\"radian\" autolimits=\"true\" inertiafromgeom=\"false\" boundmass=\"1e-6\" "
       "boundinertia=\"1e-10\"/>\n";
  x << " <option timestep=\"" << num(protocol.timestep) << "\" integrator=\""
    << (protocol.integrator == "euler" ? "Euler"
        : protocol.integrator == "rk4" ? "RK4"
                                       : "implicit")
    << "\" cone=\"" << protocol.cone << "\" impratio=\"" << num(protocol.impratio) << "\" iterations=\""
    << protocol.solver_iterations << "\" noslip_iterations=\"" << protocol.noslip_iterations << "\" gravity=\"0 0 "
    << num(-protocol.gravity) << "\">\n";
  x << "  <flag multiccd=\"" << (protocol.multiccd ? "enable" : "disable") << "\"/>\n </option>\n";
  x << " <size nconmax=\"500\" njmax=\"2000\" nstack=\"4000000\"/>\n";
  x << " <default>\n  <geom condim=\"" << protocol.condim << "\" friction=\"" << num(protocol.friction) << " "
    << num(protocol.torsional_friction) << " " << num(protocol.rolling_friction) << "\" solref=\""
    << num(protocol.solref_timeconst) << " " << num(protocol.solref_dampratio) << "\" solimp=\""
    << num(protocol.solimp_dmin) << " " << num(protocol.solimp_dmax) << " " << num(protocol.solimp_width)
    << "\" margin=\"" << num(protocol.margin) << "\" gap=\"0\"/>\n";
  x << "  <default class=\"hand\"><geom contype=\"2\" conaffinity=\"" << (protocol.hand_self_collision ? 3 : 1)
    << "\" rgba=\"0.7 0.7 0.8 1\"/></default>\n";
  x << "  <default class=\"object\"><geom contype=\"1\" conaffinity=\"2\" rgba=\"0.9 0.5 0.3 1\"/></default>\n";
  x << " </default>\n";

  x << " <asset>\n";
  for (size_t l = 0; l < hand.links.size(); ++l)
    for (size_t k = 0; k < hand_parts[l].size(); ++k)
      x << "  <mesh name=\"h" << l << "_" << k << "\" vertex=\"" << mesh_vertices(hand_parts[l][k]) << "\"/>\n";
  for (size_t k = 0; k < obj.parts.size(); ++k)
    x << "  <mesh name=\"o" << k << "\" vertex=\"" << mesh_vertices(obj.parts[k]) << "\"/>\n";
  x << " </asset>\n";

  // Leader joint of each actuated joint (the link whose joint is driven) and its followers.
  std::vector<int> leader_link(hand.dof(), -1);
  for (int a = 0; a < hand.dof(); ++a) leader_link[a] = hand.joints[a].link;

  x << " <worldbody>\n";
  std::function<void(int, int)> emit = [&](int l, int depth) {
    const LinkModel& link = hand.links[l];
    const std::string pad(depth + 2, ' ');
    if (link.parent < 0 && floating) {  // a free body, welded to the mocap body below
      x << pad << "<body name=\"" << xml_escape(link.name) << "\">\n"
        << pad << " <freejoint name=\"__hand_root__\"/>\n";
    } else if (link.parent < 0) {
      x << pad << "<body name=\"" << xml_escape(link.name) << "\" mocap=\"true\">\n";
    } else {
      x << pad << "<body name=\"" << xml_escape(link.name) << "\" pos=\"" << vec3(link.joint_origin.translation())
        << "\" quat=\"" << quat_wxyz(link.joint_origin.linear()) << "\">\n";
      if (link.joint_type != JointType::Fixed) {
        const bool is_leader = link.actuated >= 0 && leader_link[link.actuated] == l;
        x << pad << " <joint name=\"" << xml_escape(link.joint_name) << "\" type=\""
          << (link.joint_type == JointType::Prismatic ? "slide" : "hinge") << "\" axis=\"" << vec3(link.joint_axis)
          << "\"";
        if (is_leader) {
          const JointSimParams& jp = hp.joints[link.actuated];
          if (link.joint_has_limits && link.joint_upper > link.joint_lower)
            x << " limited=\"true\" range=\"" << num(link.joint_lower) << " " << num(link.joint_upper) << "\"";
          x << " damping=\"" << num(jp.damping) << "\" armature=\"" << num(jp.armature) << "\" frictionloss=\""
            << num(jp.frictionloss) << "\"";
        } else {
          x << " damping=\"" << num(hp.passive_damping) << "\" armature=\"" << num(hp.passive_armature) << "\"";
        }
        x << "/>\n";
      }
    }
    // Inertia: URDF mass, solid box of the collision bounds.
    double m = hp.default_link_mass;
    if (auto it = masses.find(link.name); it != masses.end()) m = std::clamp(it->second, 1e-4, 10.0);
    Vec3 c = Vec3::Zero(), size = Vec3::Constant(0.02);
    if (!link.collision_mesh.faces.empty()) {
      c = link.collision_box.center();
      size = link.collision_box.sizes().cwiseMax(Vec3::Constant(0.005));
    }
    const Vec3 I(m / 12 * (size.y() * size.y() + size.z() * size.z()),
                 m / 12 * (size.x() * size.x() + size.z() * size.z()),
                 m / 12 * (size.x() * size.x() + size.y() * size.y()));
    x << pad << " <inertial pos=\"" << vec3(c) << "\" mass=\"" << num(m) << "\" diaginertia=\"" << vec3(I) << "\"/>\n";
    for (size_t k = 0; k < hand_parts[l].size(); ++k)
      x << pad << " <geom class=\"hand\" type=\"mesh\" mesh=\"h" << l << "_" << k << "\"/>\n";
    for (int child : link.children) emit(child, depth + 1);
    x << pad << "</body>\n";
  };
  for (size_t l = 0; l < hand.links.size(); ++l)
    if (hand.links[l].parent < 0) emit(static_cast<int>(l), 0);

  if (floating) x << "  <body name=\"__hand_mocap__\" mocap=\"true\"/>\n";
  x << "  <body name=\"__object__\">\n   <freejoint name=\"__object_free__\"/>\n";
  x << "   <inertial pos=\"" << vec3(mp.com) << "\" mass=\"" << num(mass) << "\" fullinertia=\"" << num(inertia(0, 0))
    << " " << num(inertia(1, 1)) << " " << num(inertia(2, 2)) << " " << num(inertia(0, 1)) << " " << num(inertia(0, 2))
    << " " << num(inertia(1, 2)) << "\"/>\n";
  for (size_t k = 0; k < obj.parts.size(); ++k)
    x << "   <geom class=\"object\" type=\"mesh\" mesh=\"o" << k << "\"/>\n";
  x << "  </body>\n </worldbody>\n";

  // Couplings: follower = multiplier * leader + offset.
  std::ostringstream eq;
  for (size_t l = 0; l < hand.links.size(); ++l) {
    const LinkModel& link = hand.links[l];
    if (link.joint_type == JointType::Fixed || link.actuated < 0) continue;
    const int lead = leader_link[link.actuated];
    if (lead == static_cast<int>(l)) continue;
    eq << "  <joint joint1=\"" << xml_escape(link.joint_name) << "\" joint2=\""
       << xml_escape(hand.links[lead].joint_name) << "\" polycoef=\"" << num(link.offset) << " " << num(link.multiplier)
       << " 0 0 0\" solref=\"" << num(std::max(protocol.solref_timeconst, 2 * protocol.timestep)) << " 1\"/>\n";
  }
  if (floating)  // DexGraspBench's weld of the hand to its mocap body
    eq << "  <weld body1=\"__hand_mocap__\" body2=\"" << xml_escape(hand.links[0].name)
       << "\" relpose=\"0 0 0 1 0 0 0\" solimp=\"0.9 0.95 0.001 0.5 2\"/>\n";
  if (!eq.str().empty()) x << " <equality>\n" << eq.str() << " </equality>\n";

  x << " <actuator>\n";
  for (int a = 0; a < hand.dof(); ++a) {
    const JointSimParams& jp = hp.joints[a];
    const double kp = jp.kp * protocol.kp_scale, f = jp.force_limit * protocol.force_limit_scale;
    x << "  <position name=\"act_" << xml_escape(hand.joints[a].name) << "\" joint=\""
      << xml_escape(hand.links[leader_link[a]].joint_name) << "\" kp=\"" << num(kp)
      << "\" forcelimited=\"true\" forcerange=\"" << num(-f) << " " << num(f) << "\"/>\n";
  }
  x << " </actuator>\n</mujoco>\n";
  scene->mjcf = x.str();

  // ---- compile through a VFS holding the document ----
  mjModel* m = nullptr;
  {
    std::lock_guard<std::mutex> lock(compile_mutex());
    auto vfs = std::make_unique<mjVFS>();
    mj_defaultVFS(vfs.get());
    const std::string name = "graspqp_eval.xml";
    if (mj_makeEmptyFileVFS(vfs.get(), name.c_str(), static_cast<int>(scene->mjcf.size())) != 0)
      throw Error("MuJoCo: cannot create the virtual model file");
    const int idx = mj_findFileVFS(vfs.get(), name.c_str());
    std::memcpy(vfs->filedata[idx], scene->mjcf.data(), scene->mjcf.size());
    char err[1024] = {0};
    m = mj_loadXML(name.c_str(), vfs.get(), err, sizeof err);
    mj_deleteVFS(vfs.get());
    if (!m) {
      std::string msg = err;
      for (auto& ch : msg)
        if (ch == '\n') ch = ' ';
      throw Error("MuJoCo cannot compile the evaluation model of " + hand.name + " + " + object.path.string() + ": " +
                  msg);
    }
  }
  scene->model = std::shared_ptr<mjModel_>(m, [](mjModel_* p) { mj_deleteModel(p); });
  if (detect > 0) {
    mjModel* dm = mj_copyModel(nullptr, m);
    for (int g = 0; g < dm->ngeom; ++g) {
      dm->geom_margin[g] = protocol.margin + detect;
      dm->geom_gap[g] = detect;
    }
    scene->detect_model = std::shared_ptr<mjModel_>(dm, [](mjModel_* p) { mj_deleteModel(p); });
  }

  // ---- indices ----
  scene->object_body = mj_name2id(m, mjOBJ_BODY, "__object__");
  const int fj = mj_name2id(m, mjOBJ_JOINT, "__object_free__");
  scene->object_qpos = m->jnt_qposadr[fj];
  scene->object_dof = m->jnt_dofadr[fj];
  const int root_body = mj_name2id(m, mjOBJ_BODY, hand.links[0].name.c_str());
  scene->mocap = m->body_mocapid[floating ? mj_name2id(m, mjOBJ_BODY, "__hand_mocap__") : root_body];
  if (floating) scene->root_qpos = m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "__hand_root__")];
  scene->link_qpos.assign(hand.links.size(), -1);
  scene->link_body.assign(hand.links.size(), -1);
  for (size_t l = 0; l < hand.links.size(); ++l) {
    scene->link_body[l] = mj_name2id(m, mjOBJ_BODY, hand.links[l].name.c_str());
    if (hand.links[l].joint_type != JointType::Fixed && hand.links[l].parent >= 0) {
      const int j = mj_name2id(m, mjOBJ_JOINT, hand.links[l].joint_name.c_str());
      scene->link_qpos[l] = m->jnt_qposadr[j];
    }
  }
  for (int a = 0; a < hand.dof(); ++a)
    scene->actuator.push_back(mj_name2id(m, mjOBJ_ACTUATOR, ("act_" + hand.joints[a].name).c_str()));
  scene->hand_geom_begin = m->ngeom;
  scene->hand_geom_end = 0;
  scene->object_geom_begin = m->ngeom;
  scene->object_geom_end = 0;
  for (int g = 0; g < m->ngeom; ++g) {
    if (m->geom_bodyid[g] == scene->object_body) {
      scene->object_geom_begin = std::min(scene->object_geom_begin, g);
      scene->object_geom_end = std::max(scene->object_geom_end, g + 1);
    } else {
      scene->hand_geom_begin = std::min(scene->hand_geom_begin, g);
      scene->hand_geom_end = std::max(scene->hand_geom_end, g + 1);
    }
  }
  for (const auto& p : hand_parts) scene->hand_parts += static_cast<int>(p.size());
  if (scene->mocap < 0 || scene->object_qpos < 0) throw Error("MuJoCo model: hand root or object not found");
  return scene;
}

}  // namespace graspqp
