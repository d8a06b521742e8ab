// `graspqp generate`: grasp synthesis for one or many objects, one HDF5 file per object.
#include <graspqp/dataset/generate.hpp>
#include <graspqp/dataset/generate_options.hpp>
#include <graspqp/error.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "progress.hpp"

namespace graspqp::cli {

namespace {

// The stage shown after the bar: the object and its optimization step or validation count.
std::string stage_text(const GenerateProgress& p) {
  char buf[160];
  if (p.validated >= 0)
    std::snprintf(buf, sizeof buf, "object %d/%d %-16.16s validate %d/%d best %.4g mean %.4g", p.object_index + 1,
                  p.objects, p.object.c_str(), p.validated, p.to_validate, p.sampler.best, p.sampler.mean);
  else
    std::snprintf(buf, sizeof buf, "object %d/%d %-16.16s it %d/%d best %.4g mean %.4g", p.object_index + 1, p.objects,
                  p.object.c_str(), p.sampler.iteration, p.sampler.iterations, p.sampler.best, p.sampler.mean);
  return buf;
}

}  // namespace

Handler add_generate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Synthesize grasps for objects (GraspQP energy, MALA* sampler)");
  struct Opts {
    std::filesystem::path out;
    std::vector<std::string> objects;
    std::string objects_dir;
    std::map<std::string, std::vector<std::string>> given;  // option name -> values as typed
  };
  auto o = std::make_shared<Opts>();
  auto* obj = cmd->add_option("--object", o->objects, "Object mesh file(s) (OBJ, STL, PLY), metres");
  auto* dir =
      cmd->add_option("--objects", o->objects_dir, "Directory of meshes (also DexGraspNet's <code>/coacd/ layout)");
  obj->excludes(dir);
  cmd->add_option("--out", o->out, "Output directory")->required();
  // Every other option comes from the library's table (dataset/generate_options.hpp), shared with dataset
  // specs and Python: the values are kept as typed and set, with the table's checks, by the handler.
  const GenerateOptions defaults;
  std::map<std::string, CLI::App*> groups{{"", cmd}};
  for (const GenerateOptionInfo& info : generate_option_table()) {
    CLI::App* group = groups[info.group];
    if (!group)
      group = groups[info.group] = cmd->add_option_group(
          info.group == "initialization" ? "initialization (defaults: the hand's hand.json \"init\", else built-in)"
                                         : info.group);
    const std::string flag = "--" + info.name, name = info.name;
    std::string help = info.help + (info.allowed.empty() ? "" : "; " + info.allowed);
    if (info.kind == OptionKind::Flag) {
      group->add_flag_callback(
          flag, [o, name] { o->given[name].push_back("true"); }, help);
      continue;
    }
    auto* opt = group->add_option_function<std::vector<std::string>>(
        flag, [o, name](const std::vector<std::string>& v) { o->given[name] = v; }, help);
    opt->type_name(info.kind == OptionKind::Integer ? "INT" : info.kind == OptionKind::Number ? "NUMBER" : "TEXT");
    if (info.kind != OptionKind::TextList) opt->expected(1);
    const std::string shown = generate_option_text(defaults, name);
    if (name == "hand")
      opt->required();
    else if (!shown.empty())
      opt->default_str(shown);
  }

  return [=]() {
    GenerateOptions opts;
    opts.out = o->out;
    for (const GenerateOptionInfo& info : generate_option_table())  // table order: --validate before --validate-set
      if (auto it = o->given.find(info.name); it != o->given.end())
        for (const std::string& value : it->second) set_generate_option_text(opts, info.name, value);
    std::vector<ObjectSource> objects;
    if (!o->objects_dir.empty()) {
      objects = discover_objects(o->objects_dir);
    } else if (!o->objects.empty()) {
      std::vector<std::filesystem::path> files(o->objects.begin(), o->objects.end());
      objects = name_objects(files);
    } else {
      throw Error("give objects with --object PATH ... or --objects DIR");
    }
    const long total = static_cast<long>(objects.size()) * std::max(1, opts.sampler.iterations);
    ProgressBar bar(total);
    const auto start = std::chrono::steady_clock::now();
    const auto reports = generate_dataset(
        opts, objects,
        [&](const GenerateProgress& p) {
          bar.update(static_cast<long>(p.object_index) * std::max(1, p.sampler.iterations) + p.sampler.iteration,
                     stage_text(p));
        },
        [&](const ObjectReport& r) { std::cerr << "graspqp: error: " << r.error << "\n"; });
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool validating = opts.validate.has_value();
    std::printf("\n%-24s %-10s %6s %12s %12s %8s %8s%s\n", "object", "status", "grasps", "best E", "mean E", "accept",
                "time", validating ? "    valid" : "");
    int generated = 0, skipped = 0, failed = 0, grasps = 0, valid = 0;
    for (const auto& r : reports) {
      std::printf("%-24.24s %-10s %6d %12.5g %12.5g %7.1f%% %7.1fs", r.name.c_str(), r.status.c_str(), r.grasps,
                  r.best_energy, r.mean_energy, 100 * r.acceptance, r.seconds);
      if (validating && r.valid >= 0) std::printf(" %8d", r.valid);
      std::printf("\n");
      (r.status == "generated" ? generated : r.status == "skipped" ? skipped : failed)++;
      if (r.valid >= 0) grasps += r.grasps, valid += r.valid;
    }
    if (validating && grasps > 0)
      std::printf("\n%d of %d grasps valid under the %s protocol (%.1f%%)\n", valid, grasps,
                  opts.validate->name.c_str(), 100.0 * valid / grasps);
    std::printf(
        "\n%d objects generated, %d skipped (already finished), %d failed in %.1f s; results in %s (summary.json)\n",
        generated, skipped, failed, seconds, opts.out.c_str());
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace graspqp::cli
