#pragma once
// Shared helpers of the pybind11 module graspqp._graspqp: checked numpy conversion, GIL release with a
// Ctrl-C check for long jobs, JSON <-> Python. The bindings call the library only (like apps/); nothing of
// the library includes this folder.
#include <graspqp/error.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/object/object_model.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace graspqp::python {

namespace py = pybind11;
using namespace pybind11::literals;

// A C-contiguous float64 array (a view of the caller's array when it already is one: no copy).
using ArrayD = py::array_t<double, py::array::c_style>;
using ArrayI = py::array_t<std::int32_t, py::array::c_style>;

// Bad input from Python: becomes ValueError with this one-line message.
struct ValueError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
// Thrown from a job's progress callback once Ctrl-C was seen; the job unwinds and KeyboardInterrupt is raised.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

// Raises FileNotFoundError(message) (needs the GIL).
[[noreturn]] inline void raise_file_not_found(const std::string& message) {
  PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
  throw py::error_already_set();
}

// A batch of rows: `rows` x `cols` float64, row-major. `single` when the input was one 1-D row.
struct Rows {
  ArrayD array;
  py::ssize_t rows = 0;
  bool single = false;
  const double* row(py::ssize_t i) const { return array.data() + i * array.shape(array.ndim() - 1); }
};

// `obj` (any array-like of real numbers) as rows of `cols` values: shape (N, cols), or (cols,) when
// allow_single. Checks the dtype (integers and floats only), the shape and that every value is finite;
// messages name `name`. Zero-copy for C-contiguous float64 input.
Rows as_rows(const py::handle& obj, const std::string& name, py::ssize_t cols, bool allow_single = true);
// The same for integer rows (contact indices): shape (N, n) or (n,), any n >= 1 when cols < 0.
struct IntRows {
  ArrayI array;
  py::ssize_t rows = 0, cols = 0;
  bool single = false;
};
IntRows as_int_rows(const py::handle& obj, const std::string& name, py::ssize_t cols, bool allow_single = true);

// New float64 arrays of the given shape (uninitialized).
ArrayD new_array(std::vector<py::ssize_t> shape);

// The batch size of several inputs, each N rows or a single row (broadcast); throws ValueError naming
// the inputs when they disagree.
py::ssize_t batch_size(const std::vector<std::pair<std::string, py::ssize_t>>& rows_of);

// Releases the GIL for the lifetime of the object and registers the call with the concurrency probe
// (a test hook: graspqp._graspqp._testing), which can ask that k calls be inside C++ at once.
class ReleaseGil {
 public:
  ReleaseGil();
  ~ReleaseGil();
  ReleaseGil(const ReleaseGil&) = delete;
  ReleaseGil& operator=(const ReleaseGil&) = delete;

 private:
  py::gil_scoped_release release_;
};

// Runs job(stop) on a worker thread with the GIL released while the calling thread checks for signals
// (Ctrl-C) every 50 ms. On a signal, `stop` becomes true: the job's progress callbacks must then throw
// Interrupted (see check_stop), and once the job has unwound the Python exception (KeyboardInterrupt) is
// raised. Other exceptions of the job propagate as they are.
void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& job);
inline void check_stop(const std::atomic<bool>& stop) {
  if (stop.load(std::memory_order_relaxed)) throw Interrupted();
}

// The Python classes: shared, immutable models (thread-safe to use from several Python threads).
struct Hand {
  std::shared_ptr<const HandModel> model;
};
struct Object {
  std::shared_ptr<const ObjectModel> model;
};

py::object json_to_py(const nlohmann::json& j);
nlohmann::json py_to_json(const py::handle& obj);

// str(os.fspath(obj)): paths given as str or pathlib.Path.
std::string path_string(const py::handle& obj, const std::string& name);

void init_hand(py::module_& m);
void init_object(py::module_& m);
void init_energy(py::module_& m);
void init_grasps(py::module_& m);
void init_jobs(py::module_& m);
void init_testing(py::module_& m);

}  // namespace graspqp::python
