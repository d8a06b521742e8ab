// `graspqp hand init|check`: onboarding and validating a hand (docs/adding_a_hand.md).
#include <graspqp/error.hpp>
#include <graspqp/onboard/hand_check.hpp>
#include <graspqp/onboard/hand_init.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_hand_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("hand", "Onboard a new hand (init) or validate one (check)");
  cmd->require_subcommand(1);

  // ---- init ----
  struct InitOpts {
    HandInitOptions o;
    std::string urdf, out, only;
    std::vector<std::string> pose;
    bool link = false, no_check = false, as_json = false, collision_only = false;
  };
  auto io = std::make_shared<InitOpts>();
  auto* init = cmd->add_subcommand(
      "init",
      "Write a hand folder from a URDF (hand.json, palmar contact patches, grasp types, self-collision "
      "spheres), or regenerate parts of an existing hand (--hand)");
  auto* urdf = init->add_option("--urdf", io->urdf, "URDF of the new hand");
  init->add_option("--out", io->out, "Folder to write (with --urdf)");
  auto* hand = init->add_option("--hand", io->o.hand, "Existing hand (bundled name or folder) to update in place");
  urdf->excludes(hand);
  init->add_option("--name", io->o.name, "Hand name (default: the folder's name)");
  init->add_option("--mesh-dir", io->o.mesh_dir, "Folder where the URDF's relative mesh paths are also looked up");
  init->add_flag(
      "--collision-only", io->collision_only,
      "Links without <collision> get no geometry (hand.json visual_as_collision false; default: their visuals)");
  init->add_flag("--link", io->link, "Refer to the URDF and meshes where they are instead of copying them");
  init->add_flag("--force", io->o.force, "Overwrite an existing hand.json in --out");
  init->add_option("--only", io->only,
                   "Comma-separated parts to (re)write: pose (default_pose, approach/up axes), contacts (patches, "
                   "contact_points.json, eigengrasps.json), spheres (penetration_points.json); default all");
  init->add_option("--curl", io->o.curl, "Default pose: fraction of the way from 0 (clamped) to mid-range")
      ->capture_default_str();
  init->add_option("--thumb-curl", io->o.thumb_curl, "Default pose of a chain named thumb: same rule, this fraction")
      ->capture_default_str();
  init->add_option("--default-pose", io->pose, "Explicit default joint value JOINT=VALUE (repeatable)");
  init->add_option("--tip-points", io->o.contacts.tip_points, "Candidates per fingertip link")->capture_default_str();
  init->add_option("--link-points", io->o.contacts.link_points, "Candidates per other finger link")
      ->capture_default_str();
  init->add_option("--palm-points", io->o.contacts.palm_points, "Candidates per palm link")->capture_default_str();
  init->add_option("--palmar-cos", io->o.contacts.cos_threshold,
                   "Palmar faces: cosine between outward normal and closing direction above this")
      ->capture_default_str();
  init->add_option("--min-patch-area", io->o.contacts.min_area, "Smallest patch kept [m^2]")->capture_default_str();
  init->add_option("--sphere-margin", io->o.spheres.margin, "Sphere radius = depth of its centre + margin [m]")
      ->capture_default_str();
  init->add_option("--sphere-tolerance", io->o.spheres.tolerance, "Coverage tolerance [m]")->capture_default_str();
  init->add_option("--sphere-coverage", io->o.spheres.target_coverage, "Target coverage per link")
      ->capture_default_str();
  init->add_option("--max-spheres", io->o.spheres.max_spheres_per_link, "Most spheres per link")->capture_default_str();
  init->add_flag("--no-check", io->no_check, "Do not run hand check on the result");
  init->add_flag("--json", io->as_json, "Print the report as JSON");

  // ---- check ----
  struct CheckOpts {
    std::string hand, cache;
    HandCheckOptions o;
    bool as_json = false, verbose = false, no_mujoco = false;
  };
  auto co = std::make_shared<CheckOpts>();
  auto* check = cmd->add_subcommand("check", "Validate a hand and print a pass/fail report (non-zero exit on failure)");
  check->add_option("hand", co->hand, "Bundled hand name or folder holding a hand.json")->required();
  check->add_flag("--json", co->as_json, "Print the report as JSON");
  check->add_flag("-v,--verbose", co->verbose, "Also print the sphere coverage of every link");
  check->add_flag("--no-mujoco", co->no_mujoco, "Skip the MuJoCo compile-and-hold check");
  check->add_option("--cache", co->cache, "Folder of cached convex parts for the MuJoCo model");
  check
      ->add_option("--self-collision-tolerance", co->o.self_penetration_tolerance,
                   "E_spen at the default pose above this fails [m]")
      ->capture_default_str();
  check->add_option("--coverage-tolerance", co->o.coverage_tolerance, "Sphere coverage tolerance [m]")
      ->capture_default_str();

  auto print_check = [](const HandCheckReport& r, bool as_json, bool verbose) {
    if (as_json)
      std::cout << r.to_json().dump(2) << "\n";
    else
      std::cout << r.to_text(verbose);
    if (!r.passed()) {
      for (const auto& f : r.failures()) std::cerr << "graspqp hand check: " << f << "\n";
      return 1;
    }
    return 0;
  };

  return [=]() {
    if (init->parsed()) {
      HandInitOptions o = io->o;
      o.urdf = io->urdf;
      o.out = io->out;
      o.copy = !io->link;
      o.visual_as_collision = !io->collision_only;
      if (!io->only.empty()) {
        std::stringstream ss(io->only);
        std::string part;
        while (std::getline(ss, part, ','))
          if (!part.empty()) o.only.push_back(part);
      }
      for (const auto& p : io->pose) {
        const auto eq = p.find('=');
        if (eq == std::string::npos) throw Error("--default-pose: expected JOINT=VALUE, got '" + p + "'");
        try {
          o.default_pose[p.substr(0, eq)] = std::stod(p.substr(eq + 1));
        } catch (const std::exception&) {
          throw Error("--default-pose: '" + p.substr(eq + 1) + "' is not a number");
        }
      }
      const HandInitReport report = init_hand(o);
      if (io->no_check) {
        if (io->as_json)
          std::cout << report.to_json().dump(2) << "\n";
        else
          std::cout << report.to_text();
        return 0;
      }
      const HandCheckReport r = check_hand(report.directory.string());
      if (io->as_json) {
        // One document: the init report with the check's under "check".
        nlohmann::json j = report.to_json();
        j["check"] = r.to_json();
        std::cout << j.dump(2) << "\n";
        for (const auto& f : r.failures()) std::cerr << "graspqp hand check: " << f << "\n";
        return r.passed() ? 0 : 1;
      }
      std::cout << report.to_text() << "\n";
      return print_check(r, false, false);
    }
    HandCheckOptions o = co->o;
    o.mujoco = !co->no_mujoco;
    o.cache_dir = co->cache;
    return print_check(check_hand(co->hand, o), co->as_json, co->verbose);
  };
}

}  // namespace graspqp::cli
