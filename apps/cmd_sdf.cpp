// `graspqp sdf`: signed distance, outward normal and closest point for points read from stdin.
#include <graspqp/error.hpp>
#include <graspqp/geometry/orientation.hpp>
#include <graspqp/geometry/signed_distance.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_sdf_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sdf", "Signed distance to a mesh for points on stdin (x y z per line); prints 'distance nx ny nz cx cy cz'");
  auto path = std::make_shared<std::string>();
  auto scale = std::make_shared<double>(1.0);
  cmd->add_option("--object", *path, "Mesh file (OBJ, STL, PLY, DAE), metres")->required();
  cmd->add_option("--scale", *scale, "Uniform scale applied to the mesh")->capture_default_str();
  return [=]() {
    if (!(*scale > 0) || !std::isfinite(*scale)) throw Error("--scale must be a positive number");
    TriangleMesh mesh = load_mesh(*path, Vec3::Constant(*scale));
    orient_outward(mesh);
    SignedDistanceField sdf(std::move(mesh));
    std::string line;
    long line_no = 0;
    while (std::getline(std::cin, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::istringstream in(line);
      double x, y, z;
      std::string rest;
      if (!(in >> x >> y >> z) || (in >> rest) || !std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z))
        throw Error("stdin line " + std::to_string(line_no) + ": expected three finite numbers 'x y z'");
      const SdfResult r = sdf.query(Vec3(x, y, z));
      std::printf("%.9g %.9g %.9g %.9g %.9g %.9g %.9g\n", r.distance, r.normal.x(), r.normal.y(), r.normal.z(),
                  r.closest.x(), r.closest.y(), r.closest.z());
    }
    return 0;
  };
}

}  // namespace graspqp::cli
