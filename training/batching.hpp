#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/batch.hpp"

namespace rnmt {

// Length-bucketed batches: shuffle, sort within pools of about `pool` batches by (source, target)
// length, cut, shuffle the batches. Deterministic given the rng. Batches hold `batch_size` pairs,
// or with max_tokens > 0 as many pairs as fit in max_tokens padded positions (pairs × the longest
// side in the batch, at least one pair).
std::vector<std::vector<int64_t>> bucketed_batches(const ParallelData& data, int64_t batch_size,
                                                   int64_t pool, Rng& rng, int64_t max_tokens = 0);

Batch batch_of(const ParallelData& data, const std::vector<int64_t>& indices);

}  // namespace rnmt
