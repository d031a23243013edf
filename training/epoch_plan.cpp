#include "training/epoch_plan.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace rnmt {

EpochPlan::EpochPlan(TrainingPairs& pairs, EpochPlanOptions options)
    : pairs_(pairs), options_(options) {
  if (options_.shuffle_window < 1) throw Error("the shuffle window needs at least one shard");
}

void EpochPlan::start(int64_t epoch) {
  epoch_ = epoch;
  rng_ = Rng(options_.seed * 1000003u + static_cast<uint64_t>(epoch));
  shard_order_.resize(static_cast<size_t>(pairs_.shards()));
  std::iota(shard_order_.begin(), shard_order_.end(), int64_t{0});
  for (size_t i = shard_order_.size(); i > 1; --i)  // one shard draws nothing from the stream
    std::swap(shard_order_[i - 1], shard_order_[rng_.below(i)]);
  next_window_ = 0;
  first_batch_ = 0;
  batches_.clear();
  open_next_window();
}

bool EpochPlan::open_next_window() {
  first_batch_ += static_cast<int64_t>(batches_.size());
  batches_.clear();
  window_.reset();  // its shards unmapped before the next ones are mapped
  const auto width = static_cast<size_t>(options_.shuffle_window);
  while (batches_.empty()) {
    const size_t begin = next_window_ * width;
    if (begin >= shard_order_.size()) return false;
    const size_t end = std::min(shard_order_.size(), begin + width);
    ++next_window_;
    window_ = pairs_.window(epoch_, {shard_order_.begin() + static_cast<long>(begin),
                                     shard_order_.begin() + static_cast<long>(end)});
    batches_ = bucketed_batches(window_->lengths(), options_.batch_sentences, 100, rng_,
                                options_.batch_tokens);
  }
  return true;
}

const std::vector<int64_t>* EpochPlan::batch(int64_t index) {
  if (index < first_batch_) throw Error("an epoch's batches are planned in order");
  while (index >= first_batch_ + static_cast<int64_t>(batches_.size())) {
    if (!open_next_window()) return nullptr;
  }
  return &batches_[static_cast<size_t>(index - first_batch_)];
}

}  // namespace rnmt
