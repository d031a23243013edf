#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "training/trainer.hpp"
#include "training/validation_record.hpp"

namespace rnmt {

// What rides in each of a run's checkpoints beside the trainer's state, so that it and the weights
// it describes are replaced together.
struct RunCheckpointSections {
  ValidationRecord validation;
  // The recipe's model section (recipe.hpp's model_shape): a checkpoint of another network is
  // not resumed. Absent from checkpoints of older versions.
  std::optional<std::string> model_shape;
  std::string pretrained_embeddings;  // where the initial embeddings came from ("": none)
};

// What a finished or stopped run reached, read from its last checkpoint.
struct CheckpointOutcome {
  int64_t steps = 0;
  std::optional<ValidationRecord> validation;  // absent before the first validation
};

// The files of one training run, in one directory:
//   step-N.ckpt   a checkpoint at every validation, the newest `keep` kept;
//   last.ckpt     the newest checkpoint (a hard link renamed into place: never half-written);
//   best.params   the weights of the best validation so far (model_file/weights.hpp).
struct CheckpointDirectory {
  std::string dir;

  std::string last() const { return dir + "/last.ckpt"; }
  std::string best() const { return dir + "/best.params"; }

  // Writes step-N.ckpt, points last.ckpt at it, and deletes the oldest step checkpoints beyond
  // `keep`.
  void save_step(const Trainer& trainer, const RunCheckpointSections& sections, int64_t keep) const;
  // Writes last.ckpt alone (a run that stops between validations).
  void save_last(const Trainer& trainer, const RunCheckpointSections& sections) const;
  // Loads last.ckpt into the trainer; `check` sees its sections first and may refuse it by
  // throwing. Returns the sections.
  RunCheckpointSections load_last(
      Trainer& trainer, const std::function<void(const RunCheckpointSections&)>& check) const;
  // last.ckpt's step and validation record, without loading weights; nullopt when there is none.
  std::optional<CheckpointOutcome> last_outcome() const;
  // The step checkpoints there, oldest first.
  std::vector<std::string> step_files() const;
  // Removes every checkpoint and the best weights: training starts afresh. A step-N.ckpt left
  // from an earlier run would otherwise outrank the new run's checkpoints when they are rotated.
  void clear() const;
};

}  // namespace rnmt
