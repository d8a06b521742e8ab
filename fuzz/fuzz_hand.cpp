// A whole hand folder (hand/hand_model.hpp: hand.json, its URDF, contact_points.json, penetration_points.json,
// eigengrasps.json). The input holds the files one after the other, each after a line "--- <file name>";
// the folder also has `assets` -> the bundled assets, so inputs can use the bundled meshes
// ("mesh_dir": "assets/hands/allegro"). A hand that loads also has its hand.json "sim" section read, as
// `eval` and `generate --validate` do.
#include <graspqp/hand/hand_model.hpp>
#include <graspqp/sim/sim_model.hpp>

#include <regex>

#include "fuzz.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& hand_folder() {
  static const fs::path dir = [] {
    const fs::path d = graspqp::fuzz::scratch_dir() / "hand";
    fs::create_directories(d);
    fs::create_directory_symlink(GRASPQP_ASSETS_DIR, d / "assets");
    return d;
  }();
  return dir;
}

}  // namespace

GRASPQP_FUZZ_TARGET {
  const fs::path& dir = hand_folder();
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != "assets") fs::remove_all(e.path());
  static const std::regex header(R"(^--- ([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})\r?$)");
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string name, content;
  auto flush = [&] {
    if (!name.empty() && name != "assets")
      graspqp::fuzz::write_bytes(dir / name, reinterpret_cast<const uint8_t*>(content.data()), content.size());
    content.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      flush();
      name = m[1];
    } else {
      content += line;
      if (end != std::string::npos) content += '\n';
    }
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  flush();
  graspqp::HandLoadOptions options;
  options.patch_samples = 64;
  options.surface_points = 64;
  options.load_visual = false;
  graspqp::HandModel hand;
  if (!graspqp::fuzz::accepts([&] { hand = graspqp::load_hand(dir.string(), options); })) return 0;
  graspqp::fuzz::accepts([&] { graspqp::hand_sim_params(hand); });
  return 0;
}
