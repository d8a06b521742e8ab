#pragma once
// Private to dataset/: run_dataset_units with a hand cache the caller keeps, so that an MPI worker that
// runs one unit at a time loads each hand once.
#include <graspqp/dataset/dataset_run.hpp>

#include <map>
#include <memory>

namespace graspqp::dataset_detail {

using HandCache = std::map<std::string, std::shared_ptr<const HandModel>>;

std::vector<UnitOutcome> run_units(const std::filesystem::path& dataset_dir, const DatasetPlan& plan,
                                   const std::vector<size_t>& units, const DatasetRunOptions& options,
                                   HandCache& hands);

}  // namespace graspqp::dataset_detail
