// `graspqp metrics`: analytic quality of grasp files (contact distance, penetration, Q1), no physics.
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/metrics/analyze.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_metrics_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("metrics", "Analytic grasp metrics of grasp files: contact distance, penetration depth, Q1");
  struct Opts {
    std::vector<std::string> files;
    std::string hand, object, json_out;
    GraspMetricsOptions m;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--grasps", o->files, "Grasp file(s) (.h5) or directories searched for them")->required();
  cmd->add_option("--hand", o->hand, "Override the hand of the file");
  cmd->add_option("--object", o->object, "Override the object mesh of the file");
  cmd->add_option("--json", o->json_out, "Write the full per-grasp report as JSON to this file");
  cmd->add_option("--contact-threshold", o->m.contact_threshold, "Contacts within this distance count for Q1 [m]")
      ->capture_default_str();
  cmd->add_option("--friction", o->m.q1.friction, "Friction for Q1")->capture_default_str();
  return [=]() {
    std::vector<std::filesystem::path> files;
    for (const auto& f : o->files) {
      if (std::filesystem::is_directory(f)) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(f))
          if (e.path().extension() == ".h5") files.push_back(e.path());
      } else {
        files.push_back(f);
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw Error("no grasp files found");
    nlohmann::json all = nlohmann::json::array();
    std::printf("%-48s %6s %12s %12s %10s %10s\n", "file", "grasps", "contact mm", "pen. mm", "Q1>0", "Q1 median");
    for (const auto& f : files) {
      const auto r = analyze_grasp_file(f, AnalyzeOverrides{o->hand, o->object}, o->m);
      const auto& s = r["summary"];
      std::printf("%-48.48s %6d %12.3f %12.3f %9.0f%% %10.4f\n", f.c_str(), s["grasps"].get<int>(),
                  1e3 * s["contact_distance_median"].get<double>(), 1e3 * s["penetration_depth_median"].get<double>(),
                  100 * s["q1_positive_fraction"].get<double>(), s["q1_median"].get<double>());
      all.push_back(r);
    }
    if (!o->json_out.empty()) write_text_atomically(o->json_out, all.dump(1) + "\n");
    return 0;
  };
}

}  // namespace graspqp::cli
