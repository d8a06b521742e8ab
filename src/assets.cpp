#include <graspqp/assets.hpp>

#include <cstdlib>

namespace graspqp {

namespace fs = std::filesystem;

fs::path assets_dir() {
  if (const char* env = std::getenv("GRASPQP_ASSETS_DIR"); env && *env) return fs::path(env);
  std::error_code ec;
#ifdef GRASPQP_SOURCE_ASSETS_DIR
  if (fs::is_directory(fs::path(GRASPQP_SOURCE_ASSETS_DIR) / "hands", ec)) return GRASPQP_SOURCE_ASSETS_DIR;
#endif
#ifdef GRASPQP_INSTALL_ASSETS_DIR
  if (fs::is_directory(fs::path(GRASPQP_INSTALL_ASSETS_DIR) / "hands", ec)) return GRASPQP_INSTALL_ASSETS_DIR;
#endif
#ifdef GRASPQP_SOURCE_ASSETS_DIR
  return GRASPQP_SOURCE_ASSETS_DIR;  // neither exists: errors name the source tree's folder
#else
  return "assets";
#endif
}

fs::path data_root() {
  fs::path p = assets_dir().lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "assets/"
  return p.parent_path();
}

}  // namespace graspqp
