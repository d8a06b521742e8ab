// Dataset specs (dataset/dataset_plan.hpp): the input as spec.json, read and planned as `graspqp dataset
// plan` does, then written as a manifest and read back. Paths stay inside a scratch tree: "objects_dir"
// always names the scratch `objects/` folder (a few tiny meshes, a DexGraspNet coacd folder and a link
// back up the tree), so that no input walks the machine's file system; "objects" entries are not opened.
// The folder also holds a tiny hand folder, `tiny`.
#include <graspqp/dataset/dataset_plan.hpp>
#include <graspqp/io/json_file.hpp>

#include <set>

#include "fuzz.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& spec_folder() {
  static const fs::path dir = [] {
    const fs::path d = graspqp::fuzz::scratch_dir() / "spec";
    const fs::path objects = d / "objects";
    fs::create_directories(objects / "core-mug-1" / "coacd");
    fs::create_directories(objects / "ycb" / "apple");
    const std::string cube = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";
    for (const fs::path& f : {objects / "core-mug-1" / "coacd" / "decomposed.obj",
                              objects / "ycb" / "apple" / "textured.obj", objects / "box.obj"})
      graspqp::fuzz::write_bytes(f, reinterpret_cast<const uint8_t*>(cube.data()), cube.size());
    fs::create_directory_symlink(objects, objects / "ycb" / "loop");
    // A one-joint box hand (the hand target's seed tiny.hand) as the folder "tiny": the seeds plan with it,
    // since a bundled hand takes seconds to load under ASan.
    std::ifstream seed(fs::path(GRASPQP_ASSETS_DIR).parent_path() / "fuzz/corpus/hand/tiny.hand");
    std::ofstream file;
    for (std::string line; std::getline(seed, line);) {
      if (line.rfind("--- ", 0) == 0) {
        file.close();
        fs::create_directories(d / "tiny");
        file.open(d / "tiny" / line.substr(4));
      } else {
        file << line << "\n";
      }
    }
    if (!fs::exists(d / "tiny" / "hand.json")) graspqp::fuzz::bug("fuzz/corpus/hand/tiny.hand not found");
    return d;
  }();
  return dir;
}

}  // namespace

GRASPQP_FUZZ_TARGET {
  using namespace graspqp;
  using nlohmann::json;
  const fs::path& dir = spec_folder();
  const fs::path spec_file = dir / "spec.json";
  graspqp::fuzz::write_bytes(spec_file, data, size);
  json spec;
  if (!fuzz::accepts([&] { spec = read_json_file(spec_file); })) return 0;
  if (spec.is_object() && spec.contains("objects_dir")) spec["objects_dir"] = "objects";
  DatasetPlan plan;
  if (!fuzz::accepts([&] { plan = plan_dataset(spec, spec_file); })) return 0;
  // An accepted plan: unique ids and files, every unit's options accepted again as generate options.
  std::set<std::string> ids;
  for (const DatasetUnit& u : plan.units) {
    if (!ids.insert(u.id).second) fuzz::bug("two units with id " + u.id);
    if (!(u.cost >= 0) || !std::isfinite(u.cost)) fuzz::bug("unit " + u.id + " has cost " + std::to_string(u.cost));
    if (!(u.scale > 0)) fuzz::bug("unit " + u.id + " has scale " + std::to_string(u.scale));
  }
  // The manifest round trip gives the same units.
  const json manifest = manifest_json(plan);
  const std::string text = manifest.dump(1);
  const fs::path out = dir / "out";
  fs::remove_all(out);
  fs::create_directories(out);
  fuzz::write_bytes(out / "manifest.json", reinterpret_cast<const uint8_t*>(text.data()), text.size());
  DatasetPlan back;
  if (!fuzz::accepts([&] { back = read_manifest(out); })) fuzz::bug("a written manifest is refused on reading");
  if (manifest_json(back).dump(1) != text) fuzz::bug("the manifest does not read back to the same units");
  return 0;
}
