#pragma once
#include <cstdint>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace rnmt {

// Inverted dropout applied in place: kept values are scaled by 1/(1-p), so inference is a no-op.
// The mask is kept for the backward pass.
struct Dropout {
  float p = 0;
  Tensor mask;

  bool active(bool training) const { return training && p > 0; }
  void forward(float* x, int64_t n, Rng& rng, bool training);
  void backward(float* dx, int64_t n) const;  // no-op when forward was
};

}  // namespace rnmt
