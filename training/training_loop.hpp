#pragma once
// The training loop of `rnmt run` (as Marian's scheduler): steps until a limit, patience, a stop
// request or the sweep's deadline; validation, checkpoints and the log at their times. The train
// stage (pipeline/train_stage.cpp) builds what it runs on.
#include <functional>
#include <ostream>

#include "core/run_context.hpp"
#include "distributed/communicator.hpp"
#include "recipe/recipe.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/load_following_threads.hpp"
#include "training/trainer.hpp"
#include "training/training_log.hpp"
#include "training/workdir.hpp"

namespace rnmt {

struct TrainingLoop {
  const Recipe& recipe;
  Seq2Seq& model;
  Trainer& trainer;  // resumed already, when there was a checkpoint
  Communicator& comm;
  const RunContext& context;
  LoadFollowingThreads& threads;
  std::ostream& log;
  ValidationRecord record;  // the resumed checkpoint's, or a fresh one
  // What every checkpoint carries besides the validation record (the model section, ...).
  RunCheckpointSections sections;
  // Rank 0's validation of the current weights.
  std::function<ValidationScores()> validate;
  // Rank 0's record of gradients and gates at a step (training.inspect_every), or nullptr.
  std::function<void(int64_t step)> inspect;
};

// Runs the loop on every rank of loop.comm (rank 0 decides, logs and writes the files); returns
// the exit status: 0, or 130 when stopped by a request or the deadline (after a checkpoint).
int run_training_loop(TrainingLoop& loop);

}  // namespace rnmt
