#pragma once
#include <cstdint>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace rnmt {

// Inverted dropout: kept values are scaled by 1/(1-p), so inference is a no-op. The mask is kept
// for the backward pass; step-by-step users sample it once for the whole sequence and apply slices.
struct Dropout {
  float p = 0;
  Tensor mask;  // [n] 0 or 1/(1-p) per value; empty when inactive

  bool active() const { return mask.size() > 0; }
  void sample(int64_t n, Rng& rng, bool training);
  void apply(float* x, int64_t n, int64_t offset = 0) const;  // x *= mask[offset .. offset+n)
  void forward(float* x, int64_t n, Rng& rng, bool training) {
    sample(n, rng, training);
    apply(x, n);
  }
  void backward(float* dx, int64_t n, int64_t offset = 0) const { apply(dx, n, offset); }
};

}  // namespace rnmt
