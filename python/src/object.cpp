// graspqp.Object: an object mesh with its signed distance field, surface samples and centre.
#include <tbb/parallel_for.h>

#include <cmath>

#include "bindings.hpp"

namespace graspqp::python {

namespace {

Object load(const py::object& mesh_path, double scale, int surface_samples, std::uint64_t seed, bool culling_grid) {
  const std::string path = path_string(mesh_path, "mesh_path");
  if (!(scale > 0) || !std::isfinite(scale))
    throw ValueError("scale: must be a positive number, got " + std::to_string(scale));
  if (surface_samples < 1) throw ValueError("surface_samples: must be at least 1");
  ObjectLoadOptions o;
  o.scale = scale;
  o.surface_samples = surface_samples;
  o.seed = seed;
  o.culling_grid = culling_grid;
  Object obj;
  ReleaseGil release;
  obj.model = std::make_shared<const ObjectModel>(load_object(path, o));
  return obj;
}

ArrayD points_array(const std::vector<Vec3>& points) {
  ArrayD a({static_cast<py::ssize_t>(points.size()), py::ssize_t(3)});
  double* p = a.mutable_data();
  for (const Vec3& v : points) p[0] = v.x(), p[1] = v.y(), p[2] = v.z(), p += 3;
  return a;
}

py::object signed_distance(const Object& obj, const py::object& points, bool return_closest) {
  const Rows pts = as_rows(points, "points", 3);
  const py::ssize_t n = pts.rows;
  ArrayD distance = pts.single ? ArrayD(std::vector<py::ssize_t>{}) : new_array({n});
  ArrayD normal = pts.single ? new_array({3}) : new_array({n, 3});
  ArrayD closest = pts.single ? new_array({3}) : new_array({n, 3});
  double *d = distance.mutable_data(), *nm = normal.mutable_data(), *c = closest.mutable_data();
  const SignedDistanceField& sdf = *obj.model->sdf;
  {
    ReleaseGil release;
    tbb::parallel_for(tbb::blocked_range<py::ssize_t>(0, n, 256), [&](const tbb::blocked_range<py::ssize_t>& r) {
      for (py::ssize_t i = r.begin(); i < r.end(); ++i) {
        const double* p = pts.row(i);
        const SdfResult s = sdf.query(Vec3(p[0], p[1], p[2]));
        d[i] = s.distance;
        for (int k = 0; k < 3; ++k) nm[3 * i + k] = s.normal[k], c[3 * i + k] = s.closest[k];
      }
    });
  }
  py::object dist = pts.single ? py::object(py::float_(d[0])) : py::object(distance);
  if (return_closest) return py::make_tuple(dist, normal, closest);
  return py::make_tuple(dist, normal);
}

}  // namespace

void init_object(py::module_& m) {
  py::class_<Object>(m, "Object", R"doc(
An object mesh (OBJ, STL, PLY, DAE; metres) with its signed distance field.

Object(mesh_path, scale=1.0, surface_samples=2500, seed=0, culling_grid=True). The mesh is used in
its file frame times `scale` (the object frame of the grasp files). surface_samples and seed choose the
surface points of the penetration energy: `graspqp generate` uses its --surface-samples and --seed, so
pass a grasp file's `parameters["surface_samples"]` and `seed` to reproduce its energies exactly.
Immutable; safe to share between threads.
)doc")
      .def(py::init(&load), "mesh_path"_a, "scale"_a = 1.0, "surface_samples"_a = 2500, "seed"_a = 0,
           "culling_grid"_a = true)
      .def_property_readonly("name", [](const Object& o) { return o.model->name; })
      .def_property_readonly("path", [](const Object& o) { return o.model->path.string(); })
      .def_property_readonly(
          "sha256", [](const Object& o) { return o.model->sha256; }, "SHA-256 of the mesh file.")
      .def_property_readonly("scale", [](const Object& o) { return o.model->scale; })
      .def_property_readonly(
          "center",
          [](const Object& o) {
            ArrayD a = new_array({3});
            for (int k = 0; k < 3; ++k) a.mutable_data()[k] = o.model->center[k];
            return a;
          },
          "Mean of the surface samples (the force-closure torque reference), (3,).")
      .def_property_readonly(
          "radius", [](const Object& o) { return o.model->radius; },
          "Largest distance of a vertex from the centre [m].")
      .def_property_readonly(
          "vertices", [](const Object& o) { return points_array(o.model->mesh.vertices); },
          "Mesh vertices (V, 3), object frame (a copy).")
      .def_property_readonly(
          "faces",
          [](const Object& o) {
            const auto& f = o.model->mesh.faces;
            ArrayI a({static_cast<py::ssize_t>(f.size()), py::ssize_t(3)});
            for (size_t i = 0; i < f.size(); ++i)
              for (int k = 0; k < 3; ++k) a.mutable_data()[3 * i + k] = f[i][k];
            return a;
          },
          "Triangles (F, 3) int32, outward winding (a copy).")
      .def_property_readonly(
          "surface_points", [](const Object& o) { return points_array(o.model->surface_points); },
          "Surface samples of the penetration energy (S, 3) (a copy).")
      .def("signed_distance", &signed_distance, "points"_a, "return_closest"_a = false, R"doc(
Signed distance of points (N, 3) (or one point (3,)): returns (distance (N,), normal (N, 3)), plus the
closest surface points (N, 3) when return_closest. Positive outside, negative inside; normal is the unit
outward normal (the gradient of the distance). Runs in parallel without holding the GIL.
)doc")
      .def("__repr__", [](const Object& o) {
        return "<graspqp.Object '" + o.model->name + "': " + std::to_string(o.model->mesh.faces.size()) +
               " triangles, scale " + std::to_string(o.model->scale) + ">";
      });
}

}  // namespace graspqp::python
