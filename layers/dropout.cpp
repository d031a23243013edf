#include "layers/dropout.hpp"

namespace rnmt {

void Dropout::forward(float* x, int64_t n, Rng& rng, bool training) {
  if (!active(training)) {
    mask.resize({0});
    return;
  }
  mask.resize({n});
  const float keep = 1.0f / (1.0f - p);
  float* m = mask.data();
  for (int64_t i = 0; i < n; ++i) m[i] = rng.uniform() < p ? 0.0f : keep;
  for (int64_t i = 0; i < n; ++i) x[i] *= m[i];
}

void Dropout::backward(float* dx, int64_t n) const {
  if (mask.size() == 0) return;
  const float* m = mask.data();
  for (int64_t i = 0; i < n; ++i) dx[i] *= m[i];
}

}  // namespace rnmt
