#pragma once
#include <cstdint>
#include <vector>

#include "core/packed_matmul.hpp"

#include "model/batch.hpp"

namespace rnmt {

// How Seq2Seq::search decodes. beam = 1 is greedy search.
struct SearchOptions {
  int64_t beam = 1;
  int64_t n_best = 1;             // hypotheses returned per sentence, 1 .. beam
  double length_penalty = 1.0;    // alpha: a finished hypothesis scores log p / length^alpha
  double max_length_ratio = 2.0;  // at most ceil(ratio · source length) + 10 output tokens
  bool alignments = false;        // record each output token's most attended source position
  // The output layer's and attention's products in f32 or bf16 (the recurrent steps stay f32).
  ComputeType compute = ComputeType::f32;
};

struct Hypothesis {
  Sentence tokens;   // without </s>
  double score = 0;  // log_probability / length^alpha, length counting </s>
  double log_probability = 0;
  std::vector<int32_t> alignment;  // per token: argmax of its attention weights (if asked for)
};

}  // namespace rnmt
