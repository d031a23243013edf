#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "training/trainer.hpp"

namespace rnmt {

// The files of one training run, in one directory:
//   step-N.ckpt   a checkpoint at every validation, the newest `keep` kept;
//   last.ckpt     the newest checkpoint (a hard link renamed into place: never half-written);
//   best.params   the weights of the best validation so far (model_file/weights.hpp).
struct CheckpointDirectory {
  std::string dir;

  std::string last() const { return dir + "/last.ckpt"; }
  std::string best() const { return dir + "/best.params"; }

  // Writes step-N.ckpt with the extra sections, points last.ckpt at it, and deletes the oldest
  // step checkpoints beyond `keep`.
  void save_step(const Trainer& trainer, const std::map<std::string, std::string>& sections,
                 int64_t keep) const;
  // The step checkpoints there, oldest first.
  std::vector<std::string> step_files() const;
  // Removes every checkpoint and the best weights: training starts afresh. A step-N.ckpt left
  // from an earlier run would otherwise outrank the new run's checkpoints when they are rotated.
  void clear() const;
};

}  // namespace rnmt
