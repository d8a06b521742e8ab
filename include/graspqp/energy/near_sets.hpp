#pragma once
// What lies near each hand link, remembered by one sample between its steps. A sampler step moves the
// hand by a fraction of a millimetre, yet E_pen's and E_hpen's broad phases search the whole object
// every step. NearSets keeps, per link, the object samples within `slack` of the link's box (E_pen) and
// the link's surface points that may lie within `slack` of the object (E_hpen), found at the link's pose
// when they were built. While no point of the link has moved `slack` since (a bound from the change of
// the link's rotation and translation), the remembered sets contain everything a fresh broad phase would
// find, in the same order, so energies and gradients are bit-identical to a search without them; a link
// that moved farther is searched afresh.
//
// One NearSets belongs to one sample (of one hand and object): it is state of the sampler, not of a
// thread, and is not shared.
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/object/object_model.hpp>

#include <vector>

namespace graspqp {

struct NearSets {
  // Search margin (metres). Larger: fewer searches, larger sets. Must not exceed the object's culling
  // grid margin (ObjectModel::coarse_sdf, 1 cm).
  double slack = 0.004;

  struct Link {
    bool valid = false;
    Mat3 rotation = Mat3::Identity();  // the link's pose when the sets were built
    Vec3 position = Vec3::Zero();
    std::vector<int> object_samples;  // indices into ObjectModel::surface_points, in the grid's order
    std::vector<int> hand_points;     // indices into HandModel::surface_points, ascending
    // Search hints beside the sets (-1: none yet): the link's collision face closest to each object sample
    // and the object face closest to each hand point when last queried.
    std::vector<int> object_sample_faces, hand_point_faces;
  };
  std::vector<Link> links;
  // Search hint: the object face closest to each contact candidate (by candidate index) when it
  // was last evaluated (-1: never). A hint only speeds the exact query up; any value gives the same result.
  std::vector<int> contact_faces;

  long searches = 0, reuses = 0;  // per link and evaluation, for statistics
};

// Makes `near` current for the hand's pose in `data`: every link that may have moved `slack` or more
// since its sets were built is searched again. Sizes `near` for the model on first use.
void update_near_sets(const HandModel& model, const HandData& data, const ObjectModel& object, NearSets& near);

}  // namespace graspqp
