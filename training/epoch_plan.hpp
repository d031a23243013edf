#pragma once
// An epoch's batches, planned one window at a time. The epoch's random stream (seeded by the seed
// and the epoch) first orders the shards, then cuts and shuffles the batches of each window of
// `shuffle_window` shards in turn (bucketed_batches); a corpus of one shard is one window, whose
// batches are exactly those the whole corpus had before shards existed. Only the open window's
// shards are mapped and only its batch lists are held, so memory follows the window.
#include <cstdint>
#include <memory>
#include <vector>

#include "training/training_pairs.hpp"

namespace rnmt {

struct EpochPlanOptions {
  uint64_t seed = 1;
  int64_t batch_sentences = 64;
  int64_t batch_tokens = 0;  // when > 0, batches by padded token count instead
  int64_t shuffle_window = 1;
};

class EpochPlan {
 public:
  EpochPlan(TrainingPairs& pairs, EpochPlanOptions options);  // `pairs` must outlive the plan

  void start(int64_t epoch);  // its first window open
  // The pair indices (into window()) of the epoch's batch `index`, null past the epoch's end.
  // Indices may only grow within an epoch: the windows before `index` are planned (their batches
  // drawn from the stream) and passed over, as a resumed run needs.
  const std::vector<int64_t>* batch(int64_t index);
  PairWindow& window() { return *window_; }
  int64_t epoch() const { return epoch_; }

 private:
  bool open_next_window();  // false at the end of the epoch

  TrainingPairs& pairs_;
  EpochPlanOptions options_;
  int64_t epoch_ = 0;
  Rng rng_;
  std::vector<int64_t> shard_order_;
  size_t next_window_ = 0;
  std::unique_ptr<PairWindow> window_;
  std::vector<std::vector<int64_t>> batches_;  // the open window's, in order
  int64_t first_batch_ = 0;                    // the epoch's index of batches_[0]
};

}  // namespace rnmt
