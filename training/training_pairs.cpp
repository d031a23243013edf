#include "training/training_pairs.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "training/token_shard.hpp"

namespace rnmt {
namespace {

// ------------------------------------------------------------------------------ in memory

// The pairs of `data` (which must outlive the window), or of its own copy.
class MemoryWindow : public PairWindow {
 public:
  explicit MemoryWindow(const ParallelData& data) : data_(&data) { lengths_ = pair_lengths(data); }
  explicit MemoryWindow(ParallelData&& data) : owned_(std::move(data)), data_(&owned_) {
    lengths_ = pair_lengths(owned_);
  }
  Batch batch(const std::vector<int64_t>& indices) override { return batch_of(*data_, indices); }

 private:
  ParallelData owned_;
  const ParallelData* data_;
};

class PairsInMemory : public TrainingPairs {
 public:
  PairsInMemory(const ParallelData& data, EpochPairs epoch_pairs)
      : data_(data), epoch_pairs_(std::move(epoch_pairs)) {}
  int64_t shards() const override { return 1; }
  int64_t pairs() const override { return static_cast<int64_t>(data_.src.size()); }
  std::unique_ptr<PairWindow> window(int64_t epoch, const std::vector<int64_t>&) override {
    if (!epoch_pairs_) return std::make_unique<MemoryWindow>(data_);
    ParallelData epoch_data = epoch_pairs_(epoch);
    if (epoch_data.src.empty()) throw Error("no training data for this epoch");
    return std::make_unique<MemoryWindow>(std::move(epoch_data));
  }

 private:
  const ParallelData& data_;
  EpochPairs epoch_pairs_;
};

// ------------------------------------------------------------------------------ in shards

class ShardWindow : public PairWindow {
 public:
  ShardWindow(const std::vector<std::string>& paths, bool source_eos) : source_eos_(source_eos) {
    shards_.reserve(paths.size());
    for (const auto& path : paths) {
      shards_.emplace_back(path, ShardCheck::structure);  // checked whole when training started
      first_.push_back(static_cast<int64_t>(lengths_.size()));
      const MappedShard& s = shards_.back();
      for (int64_t i = 0; i < s.pairs(); ++i)
        lengths_.push_back({static_cast<int32_t>(s.src_length(i) + (source_eos ? 1 : 0)),
                            static_cast<int32_t>(s.tgt_length(i))});
    }
  }

  Batch batch(const std::vector<int64_t>& indices) override {
    if (src_.size() < indices.size()) {
      src_.resize(indices.size());
      tgt_.resize(indices.size());
    }
    std::vector<const Sentence*> s, t;
    for (size_t k = 0; k < indices.size(); ++k) {
      const int64_t i = indices[k];
      const auto shard = static_cast<size_t>(std::upper_bound(first_.begin(), first_.end(), i) -
                                             first_.begin() - 1);
      shards_[shard].src(i - first_[shard], src_[k]);
      shards_[shard].tgt(i - first_[shard], tgt_[k]);
      if (source_eos_) src_[k].push_back(kEos);
      s.push_back(&src_[k]);
      t.push_back(&tgt_[k]);
    }
    return make_batch(s, t);
  }

 private:
  bool source_eos_;
  std::vector<MappedShard> shards_;
  std::vector<int64_t> first_;       // [shards] the window index of each shard's first pair
  std::vector<Sentence> src_, tgt_;  // the batch's pairs, reused from batch to batch
};

class PairsInShards : public TrainingPairs {
 public:
  PairsInShards(std::vector<std::string> paths, bool source_eos)
      : paths_(std::move(paths)), source_eos_(source_eos) {
    for (const auto& path : paths_) pairs_ += shard_pair_count(path);
  }
  int64_t shards() const override { return static_cast<int64_t>(paths_.size()); }
  int64_t pairs() const override { return pairs_; }
  std::unique_ptr<PairWindow> window(int64_t, const std::vector<int64_t>& shards) override {
    std::vector<std::string> paths;
    for (const int64_t s : shards) paths.push_back(paths_.at(static_cast<size_t>(s)));
    return std::make_unique<ShardWindow>(paths, source_eos_);
  }

 private:
  std::vector<std::string> paths_;
  bool source_eos_;
  int64_t pairs_ = 0;
};

}  // namespace

std::unique_ptr<TrainingPairs> pairs_in_memory(const ParallelData& data, EpochPairs epoch_pairs) {
  return std::make_unique<PairsInMemory>(data, std::move(epoch_pairs));
}

std::unique_ptr<TrainingPairs> pairs_in_shards(std::vector<std::string> paths, bool source_eos) {
  return std::make_unique<PairsInShards>(std::move(paths), source_eos);
}

}  // namespace rnmt
