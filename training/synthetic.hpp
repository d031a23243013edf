#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "training/batching.hpp"

// Data for the training benchmark: synthetic pairs, or whitespace-tokenized files.
namespace rnmt {

// Synthetic pairs drawn as the PyTorch reference's make_synthetic.py draws them
// (docs/performance.md, "Training, B1, side by side with PyTorch"): every sentence `length` tokens
// drawn from a Zipf-like law over `vocab` words (ids after the 4 specials), target length = source
// length.
ParallelData synthetic_data(int64_t pairs, int64_t length, int64_t vocab, uint64_t seed);

// Whitespace-tokenized parallel files; vocabularies are built from them (specials first, then by
// descending frequency), pairs with an empty side or a side over max_length tokens are dropped.
// Unequal line counts are an error naming both files and counts.
ParallelData read_parallel_files(const std::string& src_path, const std::string& tgt_path,
                                 int64_t max_length);

}  // namespace rnmt
