// `graspqp dataset status` and `graspqp dataset report`.
#include <graspqp/dataset/dataset_status.hpp>
#include <graspqp/report/dataset_report.hpp>

#include <cstdio>
#include <memory>

#include "dataset_commands.hpp"
#include "progress.hpp"

namespace graspqp::cli {

namespace {

std::string percent(const nlohmann::json& rate) {
  if (!rate.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * rate.get<double>());
  return buf;
}

}  // namespace

Handler add_dataset_status(CLI::App& dataset) {
  auto* cmd = dataset.add_subcommand("status", "Units done / remaining / failed, grasps, success, throughput, ETA");
  struct Opts {
    std::string dir;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("dir", o->dir, "Dataset folder")->required();
  cmd->add_flag("--json", o->json, "Print the status as JSON");
  return [o]() {
    const nlohmann::json s = dataset_status(o->dir);
    if (o->json) {
      std::printf("%s\n", s.dump(2).c_str());
      return 0;
    }
    std::printf("%s: %d of %d units done, %d remaining (%d failed)\n", o->dir.c_str(), s["done"].get<int>(),
                s["units"].get<int>(), s["remaining"].get<int>(), s["failed"].get<int>());
    std::printf("\n%-18s %-10s %8s %8s %9s %9s %8s\n", "hand", "type", "units", "done", "grasps", "valid", "success");
    for (const auto& g : s["groups"])
      std::printf("%-18.18s %-10.10s %8d %8d %9ld %9ld %8s\n", g["hand"].get<std::string>().c_str(),
                  g["grasp_type"].get<std::string>().c_str(), g["units"].get<int>(), g["done"].get<int>(),
                  g["grasps"].get<long>(), g["valid"].get<long>(), percent(g["success_rate"]).c_str());
    std::printf("\n%ld grasps, %ld valid of %ld validated (%s)\n", s["grasps"].get<long>(), s["valid"].get<long>(),
                s["validated_grasps"].get<long>(), percent(s["success_rate"]).c_str());
    if (s["grasps_per_second"].is_number())
      std::printf("throughput %.2f grasps/s, %.1f units/h over %s; ETA %s; peak memory %.0f MB per process\n",
                  s["grasps_per_second"].get<double>(), s["units_per_hour"].get<double>(),
                  format_duration(s["elapsed_seconds"].get<double>()).c_str(),
                  s["eta_seconds"].is_number() ? format_duration(s["eta_seconds"].get<double>()).c_str() : "--:--",
                  s["peak_memory_mb"].get<double>());
    for (const auto& f : s["failures"])
      std::printf("failed: %s: %s\n", f["id"].get<std::string>().c_str(), f["error"].get<std::string>().c_str());
    if (s["complete"].get<bool>()) std::printf("complete: graspqp dataset report %s\n", o->dir.c_str());
    return 0;
  };
}

Handler add_dataset_report(CLI::App& dataset) {
  auto* cmd = dataset.add_subcommand("report", "Merged report.json, report.md (with plots) and index.csv of the files");
  struct Opts {
    std::string dir;
    bool plots = true;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("dir", o->dir, "Dataset folder")->required();
  cmd->add_flag("!--no-plots", o->plots, "Skip the plots (matplotlib)");
  return [o]() {
    const nlohmann::json r = write_dataset_report(o->dir, o->plots);
    std::printf("%s/report.json, report.md and index.csv: %d files, %ld grasps, %ld valid\n", o->dir.c_str(),
                r["files"].get<int>(), r["grasps"].get<long>(), r["valid"].get<long>());
    return 0;
  };
}

}  // namespace graspqp::cli
