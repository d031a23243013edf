#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/rng.hpp"
#include "model/batch.hpp"

namespace rnmt {

// Parallel sentences as token ids, with the vocabulary sizes they were encoded against.
struct ParallelData {
  std::vector<Sentence> src, tgt;
  int64_t src_vocab = 0, tgt_vocab = 0;
};

// Synthetic pairs like ../shared/bench/make_synthetic.py: every sentence `length` tokens drawn from
// a Zipf-like law over `vocab` words (ids after the 4 specials), target length = source length.
ParallelData synthetic_data(int64_t pairs, int64_t length, int64_t vocab, uint64_t seed);

// Whitespace-tokenized parallel files; vocabularies are built from them (specials first, then by
// descending frequency), pairs with an empty side or a side over max_length tokens are dropped.
// Unequal line counts are an error naming both files and counts.
ParallelData read_parallel_files(const std::string& src_path, const std::string& tgt_path,
                                 int64_t max_length);

// Length-bucketed batches: shuffle, sort within pools of about `pool` batches by (source, target)
// length, cut, shuffle the batches. Deterministic given the rng. Batches hold `batch_size` pairs,
// or with max_tokens > 0 as many pairs as fit in max_tokens padded positions (pairs × the longest
// side in the batch, at least one pair).
std::vector<std::vector<int64_t>> bucketed_batches(const ParallelData& data, int64_t batch_size,
                                                   int64_t pool, Rng& rng, int64_t max_tokens = 0);

Batch batch_of(const ParallelData& data, const std::vector<int64_t>& indices);

}  // namespace rnmt
