#pragma once
// Where training pairs come from, one window at a time: all of an in-memory corpus, or some of a
// corpus's token-id shards (training/token_shard.hpp). An epoch visits the shards in an order
// drawn from its seed, a window of `shuffle_window` shards after another; batches are cut and
// shuffled within each window (training/batching.hpp), so that memory follows the window, not the
// corpus. A corpus of one shard is one window: the whole corpus, as before shards existed.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/batch.hpp"
#include "training/batching.hpp"

namespace rnmt {

// The pairs of some shards, open for one epoch.
class PairWindow {
 public:
  virtual ~PairWindow() = default;
  // [pairs]: what batching needs of each pair, in the window's order.
  const std::vector<PairLength>& lengths() const { return lengths_; }
  // The padded batch of these pairs (indices into lengths()). Reads only these pairs.
  virtual Batch batch(const std::vector<int64_t>& indices) = 0;

 protected:
  std::vector<PairLength> lengths_;
};

class TrainingPairs {
 public:
  virtual ~TrainingPairs() = default;
  virtual int64_t shards() const = 0;
  virtual int64_t pairs() const = 0;  // in all shards
  // The pairs of these shards in `epoch` (concatenated in this order).
  virtual std::unique_ptr<PairWindow> window(int64_t epoch, const std::vector<int64_t>& shards) = 0;
};

// Training data for an epoch when it changes between epochs (BPE-dropout); it must depend only on
// the epoch so that resuming stays exact.
using EpochPairs = std::function<ParallelData(int64_t epoch)>;

// One shard: `data` itself (which must outlive the result), or epoch_pairs(epoch) when given.
std::unique_ptr<TrainingPairs> pairs_in_memory(const ParallelData& data,
                                               EpochPairs epoch_pairs = nullptr);

// Shard files (each checked whole when a window maps it); with source_eos, each source sentence
// gets </s> on reading, as encode_corpus gives it.
std::unique_ptr<TrainingPairs> pairs_in_shards(std::vector<std::string> paths, bool source_eos);

}  // namespace rnmt
