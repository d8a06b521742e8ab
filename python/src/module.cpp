// graspqp._graspqp: the module definition, exception translation and the shared helpers (bindings.hpp).
#include <graspqp/assets.hpp>
#include <graspqp/version.hpp>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.hpp"

namespace graspqp::python {

// ---- arrays ----------------------------------------------------------------------------------

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// numpy.asarray(obj) with dtype kind in `kinds`; messages name `name`.
py::array checked_array(const py::handle& obj, const std::string& name, const char* kinds, const char* what) {
  if (obj.is_none()) throw ValueError(name + ": expected an array of " + what + ", got None");
  if (py::isinstance<py::array>(obj)) {  // fast path: no numpy call for arrays
    py::array a = py::reinterpret_borrow<py::array>(obj);
    if (std::strchr(kinds, a.dtype().kind()) && a.dtype().itemsize() > 0) return a;
  }
  py::array a;
  try {
    a = py::module_::import("numpy").attr("asarray")(obj);
  } catch (const py::error_already_set& e) {
    throw ValueError(name + ": expected an array of " + what + " (" + std::string(py::str(e.value())) + ")");
  }
  const char kind = a.dtype().kind();
  if (!std::strchr(kinds, kind) || a.dtype().itemsize() == 0)
    throw ValueError(name + ": expected an array of " + what + ", got dtype " + std::string(py::str(a.dtype())));
  return a;
}

template <class Array>
void check_shape(const Array& a, const std::string& name, py::ssize_t cols, bool allow_single, const char* what) {
  const bool ok2 = a.ndim() == 2 && (cols < 0 || a.shape(1) == cols) && (cols >= 0 ? true : a.shape(1) >= 1);
  const bool ok1 = allow_single && a.ndim() == 1 && (cols < 0 ? a.shape(0) >= 1 : a.shape(0) == cols);
  if (ok1 || ok2) return;
  const std::string c = cols < 0 ? "n" : std::to_string(cols);
  throw ValueError(name + ": expected " + what + " of shape (N, " + c + ")" + (allow_single ? " or (" + c + ",)" : "") +
                   ", got shape " + shape_text(a));
}

}  // namespace

Rows as_rows(const py::handle& obj, const std::string& name, py::ssize_t cols, bool allow_single) {
  py::array a = checked_array(obj, name, "fiu", "real numbers");
  check_shape(a, name, cols, allow_single, "an array");
  Rows r;
  if (ArrayD::check_(a))
    r.array = py::reinterpret_borrow<ArrayD>(a);  // float64, C order: used in place
  else
    r.array = py::module_::import("numpy").attr("ascontiguousarray")(a, "dtype"_a = "float64");
  r.single = a.ndim() == 1;
  r.rows = r.single ? 1 : a.shape(0);
  const double* p = r.array.data();
  const py::ssize_t n = r.array.size();
  for (py::ssize_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i]))
      throw ValueError(name + ": row " + std::to_string(i / cols) + " has a non-finite value (NaN or inf)");
  return r;
}

IntRows as_int_rows(const py::handle& obj, const std::string& name, py::ssize_t cols, bool allow_single) {
  py::array a = checked_array(obj, name, "iu", "integers");
  check_shape(a, name, cols, allow_single, "an integer array");
  IntRows r;
  if (ArrayI::check_(a))
    r.array = py::reinterpret_borrow<ArrayI>(a);
  else
    r.array = py::module_::import("numpy").attr("ascontiguousarray")(a, "dtype"_a = "int32");
  r.single = a.ndim() == 1;
  r.rows = r.single ? 1 : a.shape(0);
  r.cols = a.shape(a.ndim() - 1);
  return r;
}

ArrayD new_array(std::vector<py::ssize_t> shape) { return ArrayD(std::move(shape)); }

py::ssize_t batch_size(const std::vector<std::pair<std::string, py::ssize_t>>& rows_of) {
  py::ssize_t n = -1;
  std::string first;
  for (const auto& [name, rows] : rows_of) {
    if (rows < 0) continue;  // a single row, broadcast
    if (n >= 0 && rows != n)
      throw ValueError(name + ": has " + std::to_string(rows) + " rows but " + first + " has " + std::to_string(n));
    if (n < 0) n = rows, first = name;
  }
  return n < 0 ? 1 : n;
}

std::string path_string(const py::handle& obj, const std::string& name) {
  try {
    return py::str(py::module_::import("os").attr("fspath")(obj));
  } catch (const py::error_already_set&) {
    throw ValueError(name + ": expected a path (str or os.PathLike), got " +
                     std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  }
}

// ---- GIL release, the concurrency probe, interruptible jobs --------------------------------------

namespace {

struct Probe {
  std::mutex m;
  std::condition_variable cv;
  int inside = 0, peak = 0, rendezvous = 0;
  double timeout_s = 10;
} probe;

}  // namespace

ReleaseGil::ReleaseGil() {
  std::unique_lock lock(probe.m);
  probe.peak = std::max(probe.peak, ++probe.inside);
  if (probe.rendezvous > 0) {
    probe.cv.notify_all();
    probe.cv.wait_for(lock, std::chrono::duration<double>(probe.timeout_s),
                      [] { return probe.inside >= probe.rendezvous; });
  }
}

ReleaseGil::~ReleaseGil() {
  std::lock_guard lock(probe.m);
  --probe.inside;
}

void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& job) {
  std::atomic<bool> stop{false};
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::exception_ptr error;
  std::optional<py::error_already_set> signal_error;
  {
    ReleaseGil release;
    std::thread worker([&] {
      try {
        job(stop);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(m);
      finished = true;
      cv.notify_all();
    });
    std::unique_lock lock(m);
    while (!finished) {
      cv.wait_for(lock, std::chrono::milliseconds(50));
      if (finished || signal_error) continue;  // once interrupted, wait for the job to unwind
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          signal_error.emplace();  // fetches the pending exception (KeyboardInterrupt for SIGINT)
          stop = true;
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (signal_error) throw *signal_error;
  if (error) std::rethrow_exception(error);
}

// ---- JSON <-> Python -----------------------------------------------------------------------------

py::object json_to_py(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(j.get<double>());
    case nlohmann::json::value_t::string:
      return py::str(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& v : j) l.append(json_to_py(v));
      return l;
    }
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (const auto& [k, v] : j.items()) d[py::str(k)] = json_to_py(v);
      return d;
    }
    default:
      return py::none();
  }
}

nlohmann::json py_to_json(const py::handle& o) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) return o.cast<std::int64_t>();
  if (py::isinstance<py::float_>(o)) return o.cast<double>();
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : o.cast<py::dict>()) j[py::str(k).cast<std::string>()] = py_to_json(v);
    return j;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : o) j.push_back(py_to_json(v));
    return j;
  }
  if (py::hasattr(o, "tolist")) return py_to_json(o.attr("tolist")());  // numpy arrays and scalars
  if (py::hasattr(o, "__fspath__")) return path_string(o, "value");
  throw ValueError("cannot pass a value of type " + std::string(py::str(py::type::handle_of(o).attr("__name__"))) +
                   " (expected numbers, strings, lists or dicts)");
}

// ---- test hooks ------------------------------------------------------------------------------------

void init_testing(py::module_& m) {
  auto t = m.def_submodule("_testing", "Test hooks (not part of the API).");
  t.def(
      "set_rendezvous",
      [](int k, double timeout_s) {
        std::lock_guard lock(probe.m);
        probe.rendezvous = k, probe.timeout_s = timeout_s, probe.peak = probe.inside;
      },
      "k"_a, "timeout_s"_a = 10.0,
      "Make every GIL-free batched call wait (up to timeout_s) until k calls are inside C++ at once "
      "(0: off); resets the peak.");
  t.def(
      "peak",
      [] {
        std::lock_guard lock(probe.m);
        return probe.peak;
      },
      "Most calls seen inside C++ (GIL released) at the same time since set_rendezvous.");
}

}  // namespace graspqp::python

namespace py = pybind11;
using namespace graspqp::python;

PYBIND11_MODULE(_graspqp, m) {
  m.doc() = "graspqp C++ bindings (use the graspqp package, which re-exports them).";
  m.attr("__version__") = graspqp::kVersion;
  m.def(
      "_assets_dir", [] { return graspqp::assets_dir().string(); }, "graspqp.assets_dir()");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const graspqp::Error& e) {
      // The library's one-line messages; a file that is not there is FileNotFoundError, the rest bad input.
      const std::string msg = e.what();
      const bool missing = msg.find("not found") != std::string::npos && msg.rfind("MuJoCo", 0) != 0;
      PyErr_SetString(missing ? PyExc_FileNotFoundError : PyExc_ValueError, e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  init_hand(m);
  init_object(m);
  init_energy(m);
  init_grasps(m);
  init_jobs(m);
  init_testing(m);
}
