// STL meshes (mesh_target.hpp).
#include "mesh_target.hpp"

GRASPQP_MESH_FUZZ_TARGET(".stl")
