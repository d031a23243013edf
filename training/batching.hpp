#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/batch.hpp"

namespace rnmt {

// What batching needs of a pair: its sides' lengths in ids (the source's </s> included).
struct PairLength {
  int32_t src = 0, tgt = 0;
};
std::vector<PairLength> pair_lengths(const ParallelData& data);

// Length-bucketed batches: shuffle, sort within pools of about `pool` batches by (source, target)
// length, cut, shuffle the batches. Deterministic given the rng. Batches hold `batch_size` pairs,
// or with max_tokens > 0 as many pairs as fit in max_tokens padded positions (pairs × the longest
// side in the batch, at least one pair). Indices are into `lengths`.
std::vector<std::vector<int64_t>> bucketed_batches(const std::vector<PairLength>& lengths,
                                                   int64_t batch_size, int64_t pool, Rng& rng,
                                                   int64_t max_tokens = 0);
std::vector<std::vector<int64_t>> bucketed_batches(const ParallelData& data, int64_t batch_size,
                                                   int64_t pool, Rng& rng, int64_t max_tokens = 0);

Batch batch_of(const ParallelData& data, const std::vector<int64_t>& indices);

}  // namespace rnmt
