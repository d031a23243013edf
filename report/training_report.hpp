#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "inspect/training_inspection.hpp"

namespace rnmt {

// One line of WORKDIR/train/inspect.jsonl.
nlohmann::ordered_json training_inspection_json(const TrainingInspection& inspection);

// What `rnmt report` draws: the run's metrics.jsonl (training and validation entries) and its
// inspect.jsonl when training.inspect_every recorded one. A step logged twice (a run resumed from
// a checkpoint older than its last log lines) keeps its latest entry; a line that is not JSON (the
// end of a killed run's file) is skipped and counted in "skipped_lines". A workdir without
// metrics.jsonl is an Error.
nlohmann::ordered_json training_report_data(const std::string& workdir);

}  // namespace rnmt
