// `graspqp view`: glTF files and an offline three.js page showing grasps, or a hand alone.
#include <graspqp/error.hpp>
#include <graspqp/view/viewer.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "parse.hpp"

namespace graspqp::cli {

Handler add_view_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "view",
      "Write .glb files and a self-contained index.html (three.js, works offline) showing grasps of a grasp file, "
      "or a hand alone with --hand and no --grasps");
  struct Opts {
    std::string grasps, index, hand, object, eval, out;
    int best = 0;
    bool cones = false;
    int max_object_triangles = 50000;
    int limit = 32;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--grasps", o->grasps, "Grasp file (.h5) written by `graspqp generate`");
  auto* index = cmd->add_option("--index", o->index, "Grasp rows to show, 0-based, comma-separated (e.g. 0,3,7)");
  auto* best = cmd->add_option("--best", o->best,
                               "Show the best K grasps: successful first (when an evaluation file exists), then by "
                               "increasing energy");
  best->check(CLI::Range(1, 1000000000));
  index->excludes(best);
  cmd->add_option("--hand", o->hand,
                  "Hand name or folder. Without --grasps: show this hand alone (default pose, contact candidates, "
                  "collision spheres, axes). With --grasps: override the file's hand");
  cmd->add_option("--object", o->object, "Object mesh (default: the grasp file's object_path)");
  cmd->add_option("--eval", o->eval,
                  "Evaluation file with per-grasp results, e.g. a `success` dataset (default: <name>.eval.h5 next to "
                  "the grasp file, if present)");
  cmd->add_flag("--cones", o->cones, "Draw the friction cones at the contacts");
  cmd->add_option("--max-object-triangles", o->max_object_triangles,
                  "Simplify larger object meshes for display (0: never)")
      ->capture_default_str();
  cmd->add_option("--limit", o->limit,
                  "Without --index/--best: show all grasps if the file holds at most this many, else the best ones")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Output folder (created if missing)")->required();
  return [=]() {
    view::ViewResult r;
    if (o->grasps.empty()) {
      if (o->hand.empty()) throw Error("view: give --grasps FILE, or --hand NAME to show a hand alone");
      if (!o->index.empty() || o->best > 0 || !o->object.empty() || !o->eval.empty() || o->cones)
        throw Error("view: --index, --best, --object, --eval and --cones need --grasps");
      r = view::write_hand_view({o->hand, o->out});
    } else {
      view::GraspViewOptions vo;
      vo.grasps = o->grasps;
      vo.out = o->out;
      vo.best = o->best;
      if (!o->index.empty()) {
        for (double v : parse_number_list(o->index, "--index")) {
          if (v != std::floor(v) || v < 0 || v > 2147483647)
            throw Error("--index: '" + std::to_string(v) + "' is not a row number (0-based)");
          if (std::find(vo.indices.begin(), vo.indices.end(), static_cast<int>(v)) == vo.indices.end())
            vo.indices.push_back(static_cast<int>(v));
        }
        if (vo.indices.empty()) throw Error("--index: no row given");
      }
      vo.cones = o->cones;
      vo.hand = o->hand;
      vo.object = o->object;
      vo.eval = o->eval;
      vo.max_object_triangles = o->max_object_triangles;
      vo.default_limit = o->limit;
      r = view::write_grasp_view(vo);
    }
    for (const auto& n : r.notes) std::cerr << "note: " << n << "\n";
    if (r.eval_file) std::cerr << "evaluation results: " << r.eval_file->string() << "\n";
    std::cerr << "wrote " << r.glb_files.size() << " .glb file(s) to " << o->out << "\n";
    std::cout << std::filesystem::absolute(r.index_html).lexically_normal().string() << "\n";
    return 0;
  };
}

}  // namespace graspqp::cli
