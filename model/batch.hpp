#pragma once
#include <cstdint>
#include <vector>

namespace rnmt {

// Reserved token ids, the same in every vocabulary.
constexpr int32_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

// A padded, time-major batch of sentence pairs: position t of sentence n is at [t * N + n].
struct Batch {
  int64_t N = 0, S = 0, T = 0;             // sentences, source length, target length (incl. </s>)
  std::vector<int32_t> src;                // [S, N] source ids, kPad after each length
  std::vector<int32_t> src_lengths;        // [N] (each >= 1)
  std::vector<int32_t> tgt_in;             // [T, N] <s> y_1 .. y_m, then kPad
  std::vector<int32_t> tgt_out;            // [T, N] y_1 .. y_m </s>, then kPad
  int64_t src_tokens = 0, tgt_tokens = 0;  // non-padding counts (tgt includes </s>)
};

using Sentence = std::vector<int32_t>;

// Parallel sentences as token ids, with the vocabulary sizes they were encoded against.
struct ParallelData {
  std::vector<Sentence> src, tgt;
  int64_t src_vocab = 0, tgt_vocab = 0;
};

// Builds the padded batch of the given pairs (source sentences must not be empty).
Batch make_batch(const std::vector<const Sentence*>& sources,
                 const std::vector<const Sentence*>& targets);

}  // namespace rnmt
