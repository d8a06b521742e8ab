#pragma once
// Where the bundled data is found: the hands and objects (assets/) and the files installed beside them
// (scripts/plot_report.py, web/dist/viewer.js). The first that applies:
//   1. the environment variable GRASPQP_ASSETS_DIR (an assets folder), when set and not empty;
//   2. the source tree's assets/ that the library was built from, when it still exists;
//   3. the installed copy, <install prefix>/share/graspqp/assets (`cmake --install`; the prefix the
//      build was configured with, CMAKE_INSTALL_PREFIX).
#include <filesystem>

namespace graspqp {

std::filesystem::path assets_dir();
// The folder holding assets/: the source tree, or <prefix>/share/graspqp (scripts/ and web/dist/ beside it).
std::filesystem::path data_root();

}  // namespace graspqp
