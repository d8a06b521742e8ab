#pragma once
// glTF scenes of grasps and of a hand alone (see docs/viewer.md for what each node holds).
//
// Grasp scene (one .glb per grasp), all nodes at the scene root:
//   one node per hand link (in HandModel::links order, named after the link, placed at its pose;
//   mesh: the link's visual mesh, else its collision mesh, else none), then one node "object"
//   (the object mesh, scaled), then one node per contact "contact_<k>" (a small sphere coloured by
//   the contact's force share, plus a friction cone primitive with material "cone" when asked).
//   So node count = links + 1 + contacts; where the file stores pregrasp and squeeze poses, one more node
//   per link for each ("pregrasp/<link>", "squeeze/<link>", translucent materials of those names), after
//   the contacts. Node `extras` carry {"kind": "link"|"object"|"contact"|"pregrasp_link"|"squeeze_link", ...}.
// Every node is rotated by z_up_to_y_up() (gltf.hpp): glTF is Y-up, graspqp's frames are Z-up.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <graspqp/view/gltf.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graspqp::view {

// Render meshes of a hand's links, computed once and reused for every grasp.
struct HandRender {
  std::vector<RenderMesh> links;    // per link (empty when the link has no geometry)
  std::vector<std::string> source;  // per link: "visual", "collision" or ""
};
// max_link_triangles > 0 simplifies larger link meshes (vertex clustering).
HandRender make_hand_render(const HandModel& hand, int max_link_triangles = 0);

// Colour of a contact by force share s (its force / the grasp's total force) among n contacts:
// t = clamp(s * n / 2, 0, 1) on a blue (t = 0: no force) - cyan - green (t = 0.5: an equal share 1/n)
// - yellow - red (t = 1: twice an equal share or more) ramp; grey when the share is unknown. Linear RGB.
std::array<double, 3> force_share_color(double share, int n_contacts);

struct GraspSceneOptions {
  bool cones = false;             // add a friction-cone primitive to every contact
  double friction = 0.5;          // cone half-angle atan(friction)
  double cone_height = 0.02;      // metres
  double contact_radius = 0.004;  // metres
};

// The glTF scene of grasp `row` of `d`. `object` is the object's mesh in the object frame (scaled).
// Throws graspqp::Error when the row's joints do not match the hand.
GltfBuilder grasp_scene(const HandModel& hand, const HandRender& render, const RenderMesh& object,
                        const GraspDataset& d, int row, const GraspSceneOptions& options = {});

// Per-contact summary of grasp `row`: [{"index", "link", "candidate", "force", "share"}].
nlohmann::json grasp_contacts_json(const GraspDataset& d, int row);

struct HandSceneOptions {
  double candidate_radius = 0.002;  // metres
  double normal_length = 0.008;     // metres
  double axis_length = 0.08;        // metres (base axes); link frames get a quarter of it
};

// The hand alone at its default pose (identity base): one node per link, then per grasp type a node
// "candidates:<type>" (spheres at the contact candidates) and "normals:<type>" (candidate normals as
// lines), a node "spheres" (collision spheres), "axes" (base frame x/y/z in red/green/blue and the
// hand's approach/up/grasp axes in magenta/cyan/yellow) and "link_frames" (a small triad per link).
GltfBuilder hand_scene(const HandModel& hand, const HandRender& render, const HandSceneOptions& options = {});

}  // namespace graspqp::view
