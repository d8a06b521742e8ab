#pragma once
// E_hpen: the hand's surface points inside the object. E_hpen = sum_j max(-d_obj(h_j), 0) over the
// hand's area-spread surface points h_j (HandModel::surface_points), d_obj the object's signed distance.
// E_pen looks the other way (object samples inside links) and cannot see a link lying wholly inside a
// large object, where no object sample is inside it (a fingertip sunk into a box's face); this term
// can. The object's coarse distance grid culls points that are certainly outside, so only points in or
// near the object reach the exact query. Not in the reference (docs/decisions.md).
#include <graspqp/energy/near_sets.hpp>
#include <graspqp/hand/kinematics.hpp>
#include <graspqp/object/object_model.hpp>

namespace graspqp {

// Value; adds gradient_weight * gradient (-n_obj at each point inside) to data's adjoint accumulators
// unless gradient_weight is 0. With `near` (current for data's pose: update_near_sets) only the
// remembered points are queried, warm-started from their remembered closest faces (updated here); the
// result is the same, bit for bit.
double hand_penetration_energy(const HandModel& model, HandData& data, const ObjectModel& object,
                               double gradient_weight, NearSets* near = nullptr);

}  // namespace graspqp
