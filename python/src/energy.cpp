// graspqp.energy: the GraspQP grasp energy of a batch of grasps, its terms and its exact gradient with
// respect to the joints and the root pose (x, y, z, qw, qx, qy, qz).
#include <graspqp/energy/grasp_energy.hpp>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <Eigen/Geometry>

#include <chrono>
#include <map>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

// The energy options of `graspqp generate` by keyword: weights (w_dis, ..., or weights={"dis": ...}), the QP's
// parameters.
EnergyConfig energy_config(const std::string& energy, const py::kwargs& kwargs) {
  EnergyConfig c;
  c.force_closure = parse_force_closure_kind(energy);
  EnergyWeights& w = c.weights;
  ForceClosureQpParams& qp = c.qp;
  const std::map<std::string, double*> weights = {{"dis", &w.dis},   {"fc", &w.fc},         {"pen", &w.pen},
                                                  {"spen", &w.spen}, {"joints", &w.joints}, {"prior", &w.prior},
                                                  {"wall", &w.wall}, {"hpen", &w.hpen}};
  const std::map<std::string, double*> others = {{"table_z", &c.table_z},
                                                 {"friction", &qp.friction},
                                                 {"torque_weight", &qp.torque_weight},
                                                 {"lambda_min", &qp.lambda_min},
                                                 {"lambda_max", &qp.lambda_max}};
  auto number = [](const std::string& k, const py::handle& value) {
    if (py::isinstance<py::bool_>(value) ||
        !(py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value) || py::hasattr(value, "__float__")))
      throw ValueError(k + ": expected a number");
    const double v = value.cast<double>();
    if (!std::isfinite(v)) throw ValueError(k + ": must be finite");
    return v;
  };
  if (kwargs.contains("weights")) {  // a dict as a file's parameters["weights"]: {"dis": 100, ...}
    const py::object value = kwargs["weights"];
    if (!py::isinstance<py::dict>(value)) throw ValueError("weights: expected a dict such as {\"dis\": 100.0}");
    for (const auto& [wk, wv] : value.cast<py::dict>()) {
      const std::string name = py::str(wk);
      auto it = weights.find(name);
      if (it == weights.end())
        throw ValueError("weights: unknown weight '" + name + "' (dis, fc, pen, spen, joints, prior, wall, hpen)");
      *it->second = number("weights[" + name + "]", wv);
    }
  }
  for (const auto& [key, value] : kwargs) {
    const std::string k = py::str(key);
    if (k == "weights") {
      continue;
    } else if (k == "cone_edges") {
      const double v = number(k, value);
      if (v != std::floor(v)) throw ValueError("cone_edges: expected an integer");
      qp.cone_edges = static_cast<int>(v);
    } else if (k == "reference_tangents") {
      qp.reference_tangents = value.cast<bool>();
    } else if (auto it = weights.find(k.rfind("w_", 0) == 0 ? k.substr(2) : ""); it != weights.end()) {
      *it->second = number(k, value);
    } else if (auto jt = others.find(k); jt != others.end()) {
      *jt->second = number(k, value);
    } else {
      throw py::type_error("energy() got an unexpected keyword argument '" + k + "'");
    }
  }
  return c;
}

// d r6 / d q for r6 = (R(q) e1, R(q) e2), q = (w, x, y, z) unit: rows are r6 components, columns w, x, y, z.
Eigen::Matrix<double, 6, 4> r6_quaternion_jacobian(const Eigen::Vector4d& q) {
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  Eigen::Matrix<double, 6, 4> J;
  J << 0, 0, -4 * y, -4 * z,         // R00 = 1 - 2(y^2 + z^2)
      2 * z, 2 * y, 2 * x, 2 * w,    // R10 = 2(xy + wz)
      -2 * y, 2 * z, -2 * w, 2 * x,  // R20 = 2(xz - wy)
      -2 * z, 2 * y, 2 * x, -2 * w,  // R01 = 2(xy - wz)
      0, -4 * x, 0, -4 * z,          // R11 = 1 - 2(x^2 + z^2)
      2 * x, 2 * w, 2 * z, 2 * y;    // R21 = 2(yz + wx)
  return J;
}

// The checked inputs of one call.
struct Batch {
  EnergyConfig config;
  const GraspType* type = nullptr;
  Rows pose, q;
  IntRows idx;
  py::ssize_t n = 0;
  bool single = false;
};

Batch prepare(const HandModel& model, const py::object& root_pose, const py::object& joints,
              const py::object& contact_idx, const std::string& grasp_type, const std::string& energy_name, int threads,
              const py::kwargs& kwargs) {
  Batch b;
  b.config = energy_config(energy_name, kwargs);
  b.type = &model.grasp_type(grasp_type);
  b.pose = as_rows(root_pose, "root_pose", 7);
  b.q = as_rows(joints, "joints", model.dof());
  b.idx = as_int_rows(contact_idx, "contact_idx", -1);
  b.n = batch_size({{"root_pose", b.pose.single ? -1 : b.pose.rows},
                    {"joints", b.q.single ? -1 : b.q.rows},
                    {"contact_idx", b.idx.single ? -1 : b.idx.rows}});
  b.single = b.pose.single && b.q.single && b.idx.single;
  const int m = static_cast<int>(b.type->candidates.size());
  const std::int32_t* c = b.idx.array.data();
  for (py::ssize_t i = 0; i < b.idx.array.size(); ++i)
    if (c[i] < 0 || c[i] >= m)
      throw ValueError("contact_idx: row " + std::to_string(i / b.idx.cols) + " has index " + std::to_string(c[i]) +
                       ", outside 0.." + std::to_string(m - 1) + " (hand '" + model.name + "' has " +
                       std::to_string(m) + " '" + grasp_type + "' candidates)");
  for (py::ssize_t i = 0; i < b.pose.rows; ++i) {
    const double* p = b.pose.row(i);
    if (!(Eigen::Vector4d(p[3], p[4], p[5], p[6]).norm() > 1e-12))
      throw ValueError("root_pose: row " + std::to_string(i) + " has a zero quaternion");
  }
  if (threads < 0) throw ValueError("threads: must be >= 0");
  return b;
}

constexpr int K = EnergyTerms::kCount;

// The C++ work of a call (call without the GIL): every grasp of the batch in parallel, outputs row-major.
void run_batch(const HandModel& model, const ObjectModel& object, const Batch& b, int threads, bool gradient,
               double* tot, double* trm, double* gq, double* gp) {
  const int dof = model.dof();
  tbb::enumerable_thread_specific<EnergyWorkspace> workspaces([&] { return EnergyWorkspace(model); });
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(py::ssize_t(0), b.n, [&](py::ssize_t i) {
      EnergyWorkspace& ws = workspaces.local();
      const double* p = b.pose.row(b.pose.single ? 0 : i);
      const Eigen::Vector4d quat_raw(p[3], p[4], p[5], p[6]);
      const double qnorm = quat_raw.norm();
      const Eigen::Vector4d qhat = quat_raw / qnorm;
      const Mat3 R = Eigen::Quaterniond(qhat[0], qhat[1], qhat[2], qhat[3]).toRotationMatrix();
      const Eigen::Map<const Eigen::VectorXd> qi(b.q.row(b.q.single ? 0 : i), dof);
      const Eigen::VectorXd x = make_state(Vec3(p[0], p[1], p[2]), R, qi);
      const std::int32_t* c = b.idx.array.data() + (b.idx.single ? 0 : i) * b.idx.cols;
      const std::vector<int> contacts(c, c + b.idx.cols);
      EnergyTerms t;
      Eigen::VectorXd g;
      tot[i] = grasp_energy(model, *b.type, object, b.config, x, contacts, ws, t, gradient ? &g : nullptr);
      for (int k = 0; k < K; ++k) trm[i * K + k] = t.values[k];
      if (!gradient) return;
      for (int k = 0; k < dof; ++k) gq[i * dof + k] = g[9 + k];
      for (int k = 0; k < 3; ++k) gp[i * 7 + k] = g[k];
      // dE/dq of E(R(q / |q|)): through the unit quaternion, then the normalization's projection.
      const Eigen::Vector4d g_hat = r6_quaternion_jacobian(qhat).transpose() * g.segment<6>(3);
      const Eigen::Vector4d g_raw = (g_hat - qhat * qhat.dot(g_hat)) / qnorm;
      for (int k = 0; k < 4; ++k) gp[i * 7 + 3 + k] = g_raw[k];
    });
  });
}

py::dict energy(const Hand& hand, const Object& obj, const py::object& root_pose, const py::object& joints,
                const py::object& contact_idx, const std::string& grasp_type, const std::string& energy_name,
                int threads, bool gradient, const py::kwargs& kwargs) {
  const HandModel& model = *hand.model;
  const Batch b = prepare(model, root_pose, joints, contact_idx, grasp_type, energy_name, threads, kwargs);
  const py::ssize_t n = b.n;
  auto shape = [&](std::vector<py::ssize_t> tail) {
    if (!b.single) tail.insert(tail.begin(), n);
    return tail;
  };
  ArrayD total = new_array(shape({})), terms = new_array({n, K});
  ArrayD grad_q = new_array(shape({model.dof()})), grad_pose = new_array(shape({7}));
  double* trm = terms.mutable_data();
  {
    ReleaseGil release;
    run_batch(model, *obj.model, b, threads, gradient, total.mutable_data(), trm, grad_q.mutable_data(),
              grad_pose.mutable_data());
  }
  py::dict out;
  out["total"] = b.single ? py::object(py::float_(total.data()[0])) : py::object(total);
  for (int k = 0; k < K; ++k) {
    ArrayD col = new_array(shape({}));
    for (py::ssize_t i = 0; i < n; ++i) col.mutable_data()[i] = trm[i * K + k];
    out[EnergyTerms::names()[k]] = b.single ? py::object(py::float_(col.data()[0])) : py::object(col);
  }
  if (gradient) {
    out["grad_joints"] = grad_q;
    out["grad_root_pose"] = grad_pose;
  }
  return out;
}

// Benchmark hook: the fastest of `repeats` runs of the C++ work of energy(...) (run_batch, outputs allocated
// once), timed in C++, in seconds; with energy() timed from Python on the same inputs this is its overhead.
double energy_core_seconds(const Hand& hand, const Object& obj, const py::object& root_pose, const py::object& joints,
                           const py::object& contact_idx, int repeats, int threads) {
  const HandModel& model = *hand.model;
  const Batch b = prepare(model, root_pose, joints, contact_idx, "full", "graspqp", threads, py::kwargs());
  std::vector<double> tot(b.n), trm(b.n * K), gq(b.n * model.dof()), gp(b.n * 7);
  double best = 1e300;
  ReleaseGil release;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run_batch(model, *obj.model, b, threads, true, tot.data(), trm.data(), gq.data(), gp.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

void init_energy(py::module_& m) {
  m.def("_energy_core_seconds", &energy_core_seconds, "hand"_a, "obj"_a, "root_pose"_a, "joints"_a, "contact_idx"_a,
        "repeats"_a = 100, "threads"_a = 0, "Benchmark hook: the C++ work of one energy() call, timed in C++ [s].");
  m.def("energy", &energy, "hand"_a, "obj"_a, "root_pose"_a, "joints"_a, "contact_idx"_a, "grasp_type"_a = "full",
        "energy"_a = "graspqp", "threads"_a = 0, "gradient"_a = true, R"doc(
The grasp energy of a batch of grasps and its gradient (the energy `graspqp generate` minimizes).

root_pose (N, 7): x, y, z, qw, qx, qy, qz of the hand base in the object frame (the quaternion is
normalized); joints (N, dof); contact_idx (N, n) integer indices into
hand.contact_candidates(grasp_type). Any of them may be a single row, used for the whole batch.
energy: the force-closure term, "graspqp" | "dexgraspnet" | "tdg". threads: 0 = all cores.

Keyword options (as `graspqp generate`'s): the weights w_dis, w_fc, w_pen, w_spen, w_joints, w_prior,
w_wall, w_hpen, or weights={"dis": ..., ...} (a grasp file's parameters["weights"]; w_... given too
win), table_z, friction, cone_edges, torque_weight, lambda_min, lambda_max, reference_tangents.
Defaults are generate's.

Returns a dict of (N,) arrays (floats for single rows): "total" (the weighted sum) and the unweighted
terms "E_dis", "E_fc", "E_pen", "E_spen", "E_joints", "E_prior", "E_wall", "E_hpen"; with gradient=True
also "grad_joints" (N, dof) = dE/djoints and "grad_root_pose" (N, 7): dE/d(x, y, z) and the gradient of
E(R(q / |q|)) with respect to the four raw quaternion components (orthogonal to q; a step q + h g is
re-normalized by the energy). Runs in parallel without holding the GIL.
)doc");
}

}  // namespace graspqp::python
