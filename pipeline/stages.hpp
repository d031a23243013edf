#pragma once
#include <optional>
#include <ostream>

#include "core/run_context.hpp"
#include "distributed/communicator.hpp"
#include "recipe/recipe.hpp"
#include "shortlist/shortlist.hpp"

namespace rnmt {

// The stages of `rnmt run`, in order (pipeline/run.cpp decides which run). Each reads the recipe
// and the workdir, writes its files atomically, and reports on `log`.

// Data (running data.prepare when files are missing) and the tokenizers: workdir/prepare/. A stop
// request ends data.prepare's command (SIGTERM to its process group) and throws Interrupted.
void prepare_stage(const Recipe& recipe, std::ostream& log, const RunContext& context);
// Training, resumed from workdir/train/last.ckpt when there is one; returns the exit status (130
// when interrupted, after writing a checkpoint). Every rank of `comm` calls it; rank 0 alone logs,
// validates and writes the files.
int train_stage(const Recipe& recipe, std::ostream& log, Communicator& comm,
                const RunContext& context);
// BLEU and exact match of the best weights on the test set: workdir/evaluate/.
// A stop request throws Interrupted between batches.
void evaluate_stage(const Recipe& recipe, std::ostream& log, const RunContext& context);
// The model file, workdir/model.rnmt.
// The trained weights both evaluate and export use (as bytes): the best validation's, or with
// export.average N > 1 the mean of the last N step checkpoints.
std::string final_weights(const Recipe& recipe, std::ostream& log);
void export_stage(const Recipe& recipe, std::ostream& log);
// The lexical shortlist export.shortlist describes, learned from the training data (none when its
// translations are 0), with its coverage of the held-out data on `log`. Export stores it in the
// model file; evaluation uses it when translate.use_shortlist is set.
std::optional<Shortlist> learned_shortlist(const Recipe& recipe, std::ostream& log);

}  // namespace rnmt
