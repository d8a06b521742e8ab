#pragma once
// Ferrari-Canny grasp quality Q1: radius of the largest origin-centred ball inside the convex hull
// of the primitive contact wrenches (6-D hull through Qhull). Positive exactly for force closure.
//
// Primitive wrenches per contact i: K unit force edges f_ik = normalize(-n_i + mu s_k) (the finger
// pushes into the object; s_k = cos(2 pi k/K) t1 + sin(2 pi k/K) t2 with t1, t2 = unit_tangents(n)),
// wrench w_ik = [f_ik ; (r_i x f_ik) / torque_scale] with r_i = p_i - centre. Normals are normalised;
// contacts with zero normals contribute no wrenches. Thread-safe (Qhull's reentrant API, state on the stack).
#include <graspqp/energy/force_closure_qp.hpp>

namespace graspqp {

using WrenchArray = Eigen::Matrix<double, Eigen::Dynamic, 6, Eigen::RowMajor>;

struct FerrariCannyParams {
  double friction = 0.2;  // Coulomb mu = tan(cone half-angle)
  int cone_edges = 8;     // K
};

// One row per primitive wrench, contact-major (row iK + k). Throws graspqp::Error on mismatched
// sizes, invalid parameters or torque_scale <= 0 (use the object's radius).
void primitive_wrenches(const FerrariCannyParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, double torque_scale, WrenchArray& wrenches);

// Min over hull facets of the facet's distance to the origin when the origin is strictly inside the
// hull of the wrenches; 0 otherwise, including fewer than 7 wrenches and flat (rank < 6) hulls.
// Qhull runs with joggled input ('QJ', deterministic): distances within a few joggles (~1e-11 of
// the wrench magnitude) of zero count as the origin on the boundary, i.e. Q1 = 0.
double largest_inscribed_ball(const Eigen::Ref<const WrenchArray>& wrenches);

// Q1 = largest_inscribed_ball(primitive_wrenches(...)).
double ferrari_canny_q1(const FerrariCannyParams& params, const ContactArrayIn& points, const ContactArrayIn& normals,
                        const Vec3& centre, double torque_scale);

}  // namespace graspqp
