#pragma once
// Summary statistics of per-grasp values for reports.
#include <vector>

namespace graspqp {

// The median (mean of the two middle values for an even count); 0 for no values.
double median(std::vector<double> values);

}  // namespace graspqp
