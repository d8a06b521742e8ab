#pragma once
// E_dis: contact points must touch the object, with the hand surface facing it:
//   E_dis = sum_i exp(1 + n_i . nu_i) |d_i|_s,   |d|_s = sqrt(d^2 + 1e-8)
// n_i the object's outward normal and d_i its signed distance at the hand contact p_i, nu_i the hand's
// outward normal. The factor is 1 when the hand faces the object (nu = -n) and e^2 when it faces away.
// The smooth |d|_s (as the reference) keeps the energy differentiable at contact.
#include <graspqp/geometry/signed_distance.hpp>

#include <span>

namespace graspqp {

inline constexpr double kContactDistanceEps2 = 1e-8;

// Value; gradients are written (not added) to dE_dp and dE_dnu. dE_dp includes the change of the
// object normal with p (through normal_jacobian), so it is the exact derivative of the value.
double contact_distance_energy(std::span<const SdfResult> object, std::span<const Vec3> hand_normals,
                               std::span<Vec3> dE_dp, std::span<Vec3> dE_dnu);

}  // namespace graspqp
