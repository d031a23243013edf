#include "layers/dropout.hpp"

namespace rnmt {

void Dropout::sample(int64_t n, Rng& rng, bool training) {
  if (!training || p <= 0) {
    mask.resize({0});
    return;
  }
  mask.resize({n});
  const float keep = 1.0f / (1.0f - p);
  float* m = mask.data();
  for (int64_t i = 0; i < n; ++i) m[i] = rng.uniform() < p ? 0.0f : keep;
}

void Dropout::apply(float* x, int64_t n, int64_t offset) const {
  if (!active()) return;
  const float* m = mask.data() + offset;
  for (int64_t i = 0; i < n; ++i) x[i] *= m[i];
}

}  // namespace rnmt
