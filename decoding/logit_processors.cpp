#include "decoding/logit_processors.hpp"

#include <algorithm>
#include <limits>

namespace rnmt {

void process_logits(float* z, int64_t V, const int32_t* history, int64_t length,
                    const SearchOptions& o) {
  if (o.repetition_penalty != 1.0) {
    // each distinct token once, however often it occurs (CTranslate2's rule)
    const auto penalty = static_cast<float>(o.repetition_penalty);
    for (int64_t i = 0; i < length; ++i) {
      const int32_t token = history[i];
      if (token < 0 || token >= V || std::find(history, history + i, token) != history + i)
        continue;
      z[token] = z[token] > 0 ? z[token] / penalty : z[token] * penalty;
    }
  }
  const int64_t n = o.no_repeat_ngram_size;
  if (n > 0 && length >= n - 1) {
    // the last n-1 tokens, followed anywhere earlier by a token, rule that token out here
    const int32_t* tail = history + length - (n - 1);
    for (int64_t start = 0; start + n <= length; ++start) {
      if (std::equal(tail, history + length, history + start)) {
        const int32_t banned = history[start + n - 1];
        if (banned >= 0 && banned < V) z[banned] = -std::numeric_limits<float>::infinity();
      }
    }
  }
}

}  // namespace rnmt
