#include <graspqp/error.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/metrics/analyze.hpp>
#include <graspqp/view/scene.hpp>

#include <algorithm>
#include <cmath>

namespace graspqp::view {

using nlohmann::json;

HandRender make_hand_render(const HandModel& hand, int max_link_triangles) {
  HandRender r;
  for (const LinkModel& link : hand.links) {
    const TriangleMesh* m = nullptr;
    std::string source;
    if (!link.visual_mesh.empty()) {
      m = &link.visual_mesh;
      source = "visual";
    } else if (!link.collision_mesh.empty()) {
      m = &link.collision_mesh;
      source = "collision";
    }
    r.links.push_back(m ? make_render_mesh(max_link_triangles > 0 ? simplify_mesh(*m, max_link_triangles) : *m)
                        : RenderMesh{});
    r.source.push_back(r.links.back().indices.empty() ? "" : source);
  }
  return r;
}

std::array<double, 3> force_share_color(double share, int n_contacts) {
  if (!std::isfinite(share)) return {0.5, 0.5, 0.5};
  const double t = std::clamp(share * std::max(n_contacts, 1) / 2.0, 0.0, 1.0);
  // sRGB stops at t = 0, 1/4, 1/2, 3/4, 1 (blue, cyan, green, yellow, red), converted to linear for
  // glTF's baseColorFactor. web/src/viewer.js uses the same stops for its legend and swatches.
  static const std::array<std::array<double, 3>, 5> stops{
      {{0.23, 0.30, 0.75}, {0.0, 0.70, 0.85}, {0.30, 0.80, 0.20}, {1.0, 0.80, 0.0}, {0.85, 0.10, 0.10}}};
  const int k = std::min(3, static_cast<int>(std::floor(t * 4)));
  const double u = t * 4 - k;
  std::array<double, 3> c;
  for (int i = 0; i < 3; ++i) c[i] = stops[k][i] + (stops[k + 1][i] - stops[k][i]) * u;
  for (double& v : c) v = v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  return c;
}

static Eigen::Quaterniond to_quat(const Mat3& R) {
  Eigen::Quaterniond q(R);
  q.normalize();
  if (q.w() < 0) q.coeffs() *= -1;
  return q;
}

// Open cone with its apex at the origin, opening along +z.
static TriangleMesh make_cone(double height, double radius, int segments = 24) {
  TriangleMesh m;
  m.vertices.push_back(Vec3::Zero());
  for (int i = 0; i < segments; ++i) {
    const double a = 2 * M_PI * i / segments;
    m.vertices.emplace_back(radius * std::cos(a), radius * std::sin(a), height);
  }
  for (int i = 0; i < segments; ++i) m.faces.emplace_back(0, 1 + (i + 1) % segments, 1 + i);  // outward
  return m;
}

static Material material(const std::string& name, std::array<double, 4> color, double metallic, double roughness) {
  Material m;
  m.name = name;
  m.color = color;
  m.metallic = metallic;
  m.roughness = roughness;
  return m;
}

// Each link's vertex data, stored once and shared by every hand pose of the scene (empty: no geometry).
static std::vector<GltfBuilder::Geometry> link_geometries(GltfBuilder& b, const HandRender& render) {
  std::vector<GltfBuilder::Geometry> geo(render.links.size());
  for (size_t l = 0; l < render.links.size(); ++l)
    if (!render.links[l].indices.empty()) geo[l] = b.add_geometry(render.links[l]);
  return geo;
}

// One node per link at its pose; `pose` names a pose other than the grasp ("pregrasp", "squeeze"): the
// nodes are then "<pose>/<link>" of kind "<pose>_link".
static void add_links(GltfBuilder& b, const HandModel& hand, const HandRender& render,
                      const std::vector<GltfBuilder::Geometry>& geo, const HandData& data, int material_id,
                      const std::string& pose = "") {
  const Mat3 C = z_up_to_y_up();
  for (size_t l = 0; l < hand.links.size(); ++l) {
    Node n;
    const std::string& name = hand.links[l].name;
    n.name = pose.empty() ? name : pose + "/" + name;
    if (l < geo.size()) n.mesh = b.add_mesh(n.name, {{geo[l], material_id}});
    n.translation = C * data.position[l];
    n.rotation = to_quat(C * data.rotation[l]);
    n.extras = {{"kind", pose.empty() ? "link" : pose + "_link"},
                {"link", name},
                {"geometry", l < render.source.size() ? render.source[l] : ""}};
    b.add_node(n);
  }
}

json grasp_contacts_json(const GraspDataset& d, int row) {
  const int n = d.n_contacts();
  double total = 0;
  for (int k = 0; k < n; ++k) total += std::max(0.0, d.contact_forces(row, k));
  json out = json::array();
  for (int k = 0; k < n; ++k) {
    const double f = d.contact_forces(row, k);
    const size_t i = static_cast<size_t>(row) * n + k;
    out.push_back({{"index", k},
                   {"link", i < d.contact_links.size() ? d.contact_links[i] : ""},
                   {"candidate", d.contact_idx(row, k)},
                   {"force", std::isfinite(f) ? json(f) : json(nullptr)},
                   {"share", total > 0 && std::isfinite(f) ? json(std::max(0.0, f) / total) : json(nullptr)}});
  }
  return out;
}

GltfBuilder grasp_scene(const HandModel& hand, const HandRender& render, const RenderMesh& object,
                        const GraspDataset& d, int row, const GraspSceneOptions& o) {
  if (row < 0 || row >= d.n_grasps()) throw Error("grasp index " + std::to_string(row) + " out of range");
  if (d.dof() != hand.dof())
    throw Error("the grasp file has " + std::to_string(d.dof()) + " joints, hand '" + hand.name + "' has " +
                std::to_string(hand.dof()));
  const Mat3 C = z_up_to_y_up();
  GltfBuilder b;
  b.set_scene_name("grasp " + std::to_string(row));
  HandData data(hand);
  const Eigen::Quaterniond q(d.root_pose(row, 3), d.root_pose(row, 4), d.root_pose(row, 5), d.root_pose(row, 6));
  if (!(q.norm() > 1e-12)) throw Error("grasp " + std::to_string(row) + ": zero root quaternion");
  const Vec3 t = d.root_pose.row(row).head<3>().transpose();
  const Mat3 R = q.normalized().toRotationMatrix();
  forward_kinematics(hand, make_state(t, R, d.joints.row(row).transpose()), data);

  const int hand_mat = b.add_material(material("hand", {0.55, 0.58, 0.64, 1.0}, 0.35, 0.45));
  const std::vector<GltfBuilder::Geometry> geo = link_geometries(b, render);
  add_links(b, hand, render, geo, data, hand_mat);

  const int obj_mat = b.add_material(material("object", {0.78, 0.45, 0.20, 1.0}, 0.0, 0.75));
  Node on;
  on.name = "object";
  on.mesh = b.add_mesh("object", object, obj_mat);
  on.rotation = to_quat(C);
  on.extras = {{"kind", "object"}, {"path", d.object_path}, {"scale", d.scale}};
  b.add_node(on);

  const int n = d.n_contacts();
  const GltfBuilder::Geometry sphere = b.add_geometry(make_render_mesh(make_sphere(o.contact_radius, 2), 90));
  const double mu = std::max(0.0, o.friction);
  const GltfBuilder::Geometry cone =
      o.cones ? b.add_geometry(make_render_mesh(make_cone(o.cone_height, o.cone_height * mu), 60))
              : GltfBuilder::Geometry{};
  Material cone_m = material("cone", {0.15, 0.75, 0.35, 0.35}, 0.0, 0.9);
  cone_m.blend = true;
  cone_m.double_sided = true;
  const int cone_mat = o.cones ? b.add_material(cone_m) : -1;
  const json contacts = grasp_contacts_json(d, row);
  for (int k = 0; k < n; ++k) {
    const size_t i = static_cast<size_t>(row) * n + k;
    const Vec3 p(d.contact_points[3 * i], d.contact_points[3 * i + 1], d.contact_points[3 * i + 2]);
    const Vec3 nrm(d.contact_normals[3 * i], d.contact_normals[3 * i + 1], d.contact_normals[3 * i + 2]);
    const json& c = contacts[k];
    const double share = c["share"].is_null() ? std::nan("") : c["share"].get<double>();
    const auto rgb = force_share_color(share, n);
    const int mat = b.add_material(material("contact_" + std::to_string(k), {rgb[0], rgb[1], rgb[2], 1.0}, 0.0, 0.4));
    std::vector<std::pair<GltfBuilder::Geometry, int>> prims{{sphere, mat}};
    if (o.cones) prims.emplace_back(cone, cone_mat);
    Node cn;
    cn.name = "contact_" + std::to_string(k);
    cn.mesh = b.add_mesh(cn.name, prims);
    cn.translation = C * p;
    // The cone opens along the contact force direction: into the object (-normal).
    const Vec3 dir = nrm.norm() > 1e-9 ? Vec3(-nrm.normalized()) : Vec3(-Vec3::UnitZ());
    cn.rotation = Eigen::Quaterniond::FromTwoVectors(Vec3::UnitZ(), C * dir);
    cn.extras = c;
    cn.extras["kind"] = "contact";
    cn.extras["position"] = {p.x(), p.y(), p.z()};
    cn.extras["normal"] = {nrm.x(), nrm.y(), nrm.z()};
    b.add_node(cn);
  }
  // The file's pregrasp and squeeze hands (translucent, hidden by default in the gallery).
  if (d.has_poses()) {
    for (const auto& [pose, color] :
         {std::pair<std::string, std::array<double, 4>>{"pregrasp", {0.20, 0.45, 0.95, 0.35}},
          {"squeeze", {0.90, 0.25, 0.20, 0.35}}}) {
      Material m = material(pose, color, 0.0, 0.6);
      m.blend = true;
      const int mat = b.add_material(m);
      HandData pose_data(hand);
      const auto& joints = pose == "pregrasp" ? d.pregrasp_joints : d.squeeze_joints;
      forward_kinematics(hand, make_state(t, R, joints.row(row).transpose()), pose_data);
      add_links(b, hand, render, geo, pose_data, mat, pose);
    }
  }
  b.set_asset_extras({{"graspqp",
                       {{"kind", "grasp"},
                        {"poses", d.has_poses()},
                        {"hand", hand.name},
                        {"grasp_type", d.grasp_type},
                        {"index", row},
                        {"energy", d.energy.size() > row ? json(d.energy[row]) : json(nullptr)},
                        {"links", hand.links.size()},
                        {"contacts", n},
                        {"friction", mu},
                        {"frame", "object frame rotated Z-up to Y-up: (x, y, z) -> (x, z, -y)"}}}});
  return b;
}

static void add_triad(std::vector<Eigen::Vector3f>& pts, std::vector<Eigen::Vector3f>& cols, const Vec3& origin,
                      const Mat3& R, double length) {
  const Mat3 C = z_up_to_y_up();
  for (int a = 0; a < 3; ++a) {
    Eigen::Vector3f col = Eigen::Vector3f::Zero();
    col[a] = 1.0f;
    pts.push_back((C * origin).cast<float>());
    pts.push_back((C * (origin + length * R.col(a))).cast<float>());
    cols.push_back(col);
    cols.push_back(col);
  }
}

GltfBuilder hand_scene(const HandModel& hand, const HandRender& render, const HandSceneOptions& o) {
  const Mat3 C = z_up_to_y_up();
  GltfBuilder b;
  b.set_scene_name("hand " + hand.name);
  HandData data(hand);
  forward_kinematics(hand, make_state(Vec3::Zero(), Mat3::Identity(), hand.default_joints()), data);
  const int hand_mat = b.add_material(material("hand", {0.55, 0.58, 0.64, 1.0}, 0.35, 0.45));
  add_links(b, hand, render, link_geometries(b, render), data, hand_mat);

  Material line_m = material("lines", {1, 1, 1, 1}, 0, 1);
  line_m.unlit = true;
  const int line_mat = b.add_material(line_m);

  json types = json::array();
  for (const GraspType& gt : hand.grasp_types) {
    TriangleMesh spheres;
    std::vector<Eigen::Vector3f> pts, cols;
    const TriangleMesh unit = make_sphere(o.candidate_radius, 1);
    for (const ContactCandidate& c : gt.candidates) {
      const Vec3 p = data.to_world(c.link, c.position);
      const Vec3 nrm = data.dir_to_world(c.link, c.normal);
      TriangleMesh s = unit;
      Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
      T.translation() = C * p;
      transform_mesh(s, T);
      append_mesh(spheres, s);
      pts.push_back((C * p).cast<float>());
      pts.push_back((C * (p + o.normal_length * nrm)).cast<float>());
      cols.emplace_back(0.1f, 0.8f, 1.0f);
      cols.emplace_back(0.1f, 0.8f, 1.0f);
    }
    types.push_back({{"name", gt.name}, {"candidates", gt.candidates.size()}});
    static const std::array<std::array<double, 4>, 6> palette{{{0.95, 0.30, 0.10, 1},
                                                               {0.10, 0.60, 0.95, 1},
                                                               {0.20, 0.80, 0.25, 1},
                                                               {0.85, 0.20, 0.80, 1},
                                                               {0.95, 0.75, 0.10, 1},
                                                               {0.30, 0.30, 0.30, 1}}};
    const int mat =
        b.add_material(material("candidates:" + gt.name, palette[(types.size() - 1) % palette.size()], 0, 0.5));
    const RenderMesh rm = make_render_mesh(spheres, 90);
    Node n;
    n.name = "candidates:" + gt.name;
    n.mesh = b.add_mesh(n.name, rm, mat);
    n.extras = {{"kind", "candidates"}, {"grasp_type", gt.name}, {"count", gt.candidates.size()}};
    b.add_node(n);
    Node nn;
    nn.name = "normals:" + gt.name;
    nn.mesh = b.add_lines(nn.name, pts, cols, line_mat);
    nn.extras = {{"kind", "normals"}, {"grasp_type", gt.name}, {"count", gt.candidates.size()}};
    b.add_node(nn);
  }

  TriangleMesh spheres;
  for (const CollisionSphere& s : hand.spheres) {
    TriangleMesh m = make_sphere(s.radius, 2);
    Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
    T.translation() = C * data.to_world(s.link, s.center);
    transform_mesh(m, T);
    append_mesh(spheres, m);
  }
  Material sm = material("spheres", {0.95, 0.25, 0.25, 0.35}, 0, 0.8);
  sm.blend = true;
  const RenderMesh srm = make_render_mesh(spheres, 90);
  Node sn;
  sn.name = "spheres";
  sn.mesh = b.add_mesh("spheres", srm, b.add_material(sm));
  sn.extras = {{"kind", "spheres"}, {"count", hand.spheres.size()}};
  b.add_node(sn);

  std::vector<Eigen::Vector3f> pts, cols;
  add_triad(pts, cols, Vec3::Zero(), Mat3::Identity(), o.axis_length);
  auto axis = [&](const Vec3& a, Eigen::Vector3f col) {
    pts.push_back(Eigen::Vector3f::Zero());
    pts.push_back((C * (1.5 * o.axis_length * a.normalized())).cast<float>());
    cols.push_back(col);
    cols.push_back(col);
  };
  axis(hand.approach_axis, {1.0f, 0.0f, 1.0f});
  axis(hand.up_axis, {0.0f, 1.0f, 1.0f});
  axis(hand.grasp_axis, {1.0f, 1.0f, 0.0f});
  Node an;
  an.name = "axes";
  an.mesh = b.add_lines("axes", pts, cols, line_mat);
  an.extras = {{"kind", "axes"}};
  b.add_node(an);

  pts.clear();
  cols.clear();
  for (size_t l = 0; l < hand.links.size(); ++l)
    add_triad(pts, cols, data.position[l], data.rotation[l], o.axis_length / 4);
  Node ln;
  ln.name = "link_frames";
  ln.mesh = b.add_lines("link_frames", pts, cols, line_mat);
  ln.extras = {{"kind", "link_frames"}};
  b.add_node(ln);

  json joints = json::array();
  const Eigen::VectorXd q = hand.default_joints();
  for (int j = 0; j < hand.dof(); ++j) joints.push_back({{"name", hand.joints[j].name}, {"value", q[j]}});
  b.set_asset_extras({{"graspqp",
                       {{"kind", "hand"},
                        {"hand", hand.name},
                        {"links", hand.links.size()},
                        {"spheres", hand.spheres.size()},
                        {"grasp_types", types},
                        {"joints", joints},
                        {"frame", "hand base frame rotated Z-up to Y-up: (x, y, z) -> (x, z, -y)"}}}});
  return b;
}

}  // namespace graspqp::view
