#pragma once
// Mesh files as users bring them (OBJ, STL, PLY; geometry/mesh.hpp): the input is written to a file of
// the target's extension and loaded; an accepted mesh is also made into an object model (orientation,
// signed distance, samples, hull), as `generate` and `eval` do with it.
#include <graspqp/object/object_model.hpp>

#include "fuzz.hpp"

#define GRASPQP_MESH_FUZZ_TARGET(EXT)                                         \
  GRASPQP_FUZZ_TARGET {                                                       \
    const auto path = graspqp::fuzz::input_file("input" EXT, data, size);     \
    if (!graspqp::fuzz::accepts([&] { graspqp::load_mesh(path); })) return 0; \
    graspqp::ObjectLoadOptions options;                                       \
    options.surface_samples = 64;                                             \
    options.culling_grid = false;                                             \
    graspqp::fuzz::accepts([&] { graspqp::load_object(path, options); });     \
    return 0;                                                                 \
  }
