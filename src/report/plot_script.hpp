#pragma once
// Private to report/: the plots are drawn by Python scripts next to the assets folder (scripts/*.py,
// matplotlib), run with Debian's python3.
#include <filesystem>
#include <string>
#include <vector>

namespace graspqp::report_detail {

// Runs scripts/<script> DIR and returns the names of the PNG files it printed; none (and a warning on
// stderr prefixed by `who`) when the script or python3 is missing or the script fails.
std::vector<std::string> run_plot_script(const std::string& script, const std::filesystem::path& dir,
                                         const std::string& who);

}  // namespace graspqp::report_detail
