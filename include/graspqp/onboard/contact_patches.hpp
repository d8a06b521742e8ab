#pragma once
// `graspqp hand init`, step 2: palmar contact patches (the surfaces of the fingers and palm that face
// the object when the hand closes), from which contact_points.json and the grasp types are written.
#include <graspqp/onboard/structure.hpp>

#include <string>
#include <vector>

namespace graspqp {

struct ContactPatchOptions {
  double cos_threshold = 0.5;         // palmar: outward normal within 60 degrees of the closing direction
  double palm_cos_threshold = 0.7;    // palm links: outward normal within 45 degrees of the approach axis
  double min_area = 1e-4;             // [m^2] links with a smaller palmar patch get no candidates
  double occlusion_distance = 0.003;  // [m] patch parts closer than this to another link are dropped
  double max_edge = 0.004;            // [m] faces are subdivided to this edge length before selection
  int tip_points = 8, link_points = 4, palm_points = 4;  // candidates per link (contact_points.json)
  bool palm = true;                                      // also annotate the palm links
};

struct ContactPatch {
  int link = -1;
  std::string kind;   // "tip" | "link" | "palm"
  TriangleMesh mesh;  // link frame
  double area = 0;    // [m^2]
  int points = 0;
};

// Palmar contact patches at the model's default pose (rules in docs/adding_a_hand.md).
std::vector<ContactPatch> palmar_contact_patches(const HandModel& model, const HandStructure& structure,
                                                 const ContactPatchOptions& options = {});

}  // namespace graspqp
