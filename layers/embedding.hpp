#pragma once
#include <cstdint>
#include <string>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace rnmt {

// A lookup table [vocab, dim]. Row 0 is padding: it starts at zero and never receives gradient.
struct Embedding {
  Param* table = nullptr;
  int64_t vocab = 0, dim = 0;

  Embedding(ParamSet& params, const std::string& name, int64_t vocab_size, int64_t dimension);
  // N(0, 1) rows (U(±1/sqrt(dim)) when the output layer shares the table); row 0 is zero.
  void init(Rng& rng, bool shared_with_output = false);
  // out[i] = table[ids[i]] for i < n; out is [n, dim], or rows `stride` floats apart when given
  // (the embedding part of wider rows).
  void forward(const int32_t* ids, int64_t n, float* out, int64_t stride = 0) const;
  // table.grad[ids[i]] += dout[i] for every non-padding id.
  void backward(const int32_t* ids, int64_t n, const float* dout);
};

}  // namespace rnmt
