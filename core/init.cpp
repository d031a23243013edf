#include "core/init.hpp"

#include <cmath>

namespace rnmt {

void init_uniform(float* w, int64_t n, float limit, Rng& rng) {
  for (int64_t i = 0; i < n; ++i) w[i] = rng.uniform(-limit, limit);
}

void init_normal(float* w, int64_t n, Rng& rng) {
  for (int64_t i = 0; i < n; ++i) w[i] = rng.normal();
}

float linear_init_limit(int64_t fan_in) {
  return 1.0f / std::sqrt(static_cast<float>(fan_in));
}

}  // namespace rnmt
