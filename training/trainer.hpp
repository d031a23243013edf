#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/archive.hpp"
#include "core/profiler.hpp"
#include "distributed/communicator.hpp"
#include "distributed/gradient_sum.hpp"
#include "model/seq2seq.hpp"
#include "training/adam.hpp"
#include "training/batching.hpp"
#include "training/epoch_plan.hpp"
#include "training/training_pairs.hpp"

namespace rnmt {

struct TrainerOptions {
  double lr = 0.001;
  double clip_norm = 5.0;
  int64_t batch_sentences = 64;
  int64_t batch_tokens = 0;  // when > 0, batches are by padded token count instead
  uint64_t seed = 1;
  int64_t max_bad_steps = 5;  // consecutive non-finite steps before training stops
  // Shards per window: batches are cut and shuffled within this many shards at a time
  // (training/training_pairs.hpp); data in memory is one shard.
  int64_t shuffle_window = 1;
  // Parameters that keep their values (pretrained embeddings with freeze): their gradients are
  // zeroed before clipping, so Adam never moves them and they do not count in the norm.
  std::vector<std::string> frozen = {};
  // Synchronous data parallelism: every rank runs a Trainer with the same options and data; each
  // takes its share of every batch (batch_sentences and batch_tokens are the global batch), the
  // gradients are summed over the ranks and every rank makes the same update. Null: this process
  // alone.
  Communicator* communicator = nullptr;
};

// The part [first, last) of a global batch of n pairs that `rank` of `ranks` computes.
std::pair<size_t, size_t> rank_share(size_t n, int rank, int ranks);

// Where training stands: enough to continue exactly where it stopped.
struct TrainPosition {
  int64_t step = 0;   // updates applied
  int64_t epoch = 0;  // current epoch, from 0
  int64_t batch = 0;  // next batch within the epoch
};

struct StepResult {
  LossStats loss;
  // the batch's N, S, T (under data parallelism: N of the global batch, S and T of this rank's)
  int64_t sentences = 0, source_length = 0, target_length = 0;
  double grad_norm = 0;
  bool applied = false;  // false: skipped because the loss or the gradient was not finite
};

// A checkpoint file, its format checked (weights in model_file/weights.hpp's section).
Archive read_checkpoint(const std::string& path);

// One training run. The batch order of an epoch derives from (seed, epoch), so the data position
// is two numbers; a checkpoint adds the weights, Adam's moments and the dropout random state, and
// resuming from it continues bit for bit (with one thread).
class Trainer {
 public:
  using EpochData = EpochPairs;

  // Pairs from shards (or anywhere else); `pairs` must outlive the trainer.
  Trainer(Seq2Seq& model, TrainingPairs& pairs, TrainerOptions options);
  // In-memory data, one shard.
  Trainer(Seq2Seq& model, const ParallelData& data, TrainerOptions options,
          EpochData epoch_data = nullptr);

  StepResult step();  // one batch: forward, backward, clipping, Adam (or a skip)
  // Times the step's parts (the network's and the trainer's own) into `profiler`, or stops.
  void set_profiler(Profiler* profiler);
  const TrainPosition& position() const { return position_; }
  void set_lr(double lr) { options_.lr = lr; }
  double lr() const { return options_.lr; }

  // `extra` sections ride in the same file (e.g. the validation bookkeeping of `rnmt run`), so
  // that they and the weights are replaced together or not at all.
  void save_checkpoint(const std::string& path,
                       const std::map<std::string, std::string>& extra = {}) const;
  // Error when it does not fit this model; returns the checkpoint's sections (extra ones too).
  // `check` sees the sections first and may refuse the checkpoint by throwing.
  using SectionCheck = std::function<void(const std::map<std::string, std::string>&)>;
  std::map<std::string, std::string> load_checkpoint(const std::string& path,
                                                     const SectionCheck& check = nullptr);

 private:
  void start();  // the constructors' common part
  LossStats forward_backward(const Batch& batch, bool empty);

  Seq2Seq& model_;
  std::unique_ptr<TrainingPairs> owned_pairs_;  // in-memory data's
  TrainingPairs& pairs_;
  TrainerOptions options_;
  Communicator& comm_;
  std::optional<GradientSum> gradient_sum_;  // with more than one rank
  Adam adam_;
  TrainPosition position_;
  EpochPlan plan_;  // position_.epoch's
  int64_t bad_steps_ = 0;
  Profiler* profiler_ = nullptr;
  int part_batch_ = 0, part_zero_ = 0, part_optimizer_ = 0, part_gradient_sum_ = 0;
};

}  // namespace rnmt
