#pragma once
#include <cstdint>

#include "decoding/search.hpp"

namespace rnmt {

// Whether the options change logits before each choice.
inline bool processes_logits(const SearchOptions& o) {
  return o.repetition_penalty != 1.0 || o.no_repeat_ngram_size > 0;
}

// Applies the options' repetition penalty and n-gram ban to one row of logits z [V], for a
// hypothesis that holds `history` [length] so far.
void process_logits(float* z, int64_t V, const int32_t* history, int64_t length,
                    const SearchOptions& options);

}  // namespace rnmt
