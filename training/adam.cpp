#include "training/adam.hpp"

#include <cmath>

namespace rnmt {

void Adam::step(ParamSet& params, float lr, float grad_scale) {
  const auto n = static_cast<int64_t>(params.total());
  if (static_cast<int64_t>(m_.size()) != n) {
    m_.resize({n});
    v_.resize({n});
    m_.zero();
    v_.zero();
  }
  ++steps_;
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
  const double correction1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(steps_));
  // PyTorch: w -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
  const auto step_size = static_cast<float>(lr / correction1);
  const auto inv_sqrt_c2 = static_cast<float>(1.0 / std::sqrt(correction2));
  float* w = params.values();
  const float* g = params.grads();
  float* m = m_.data();
  float* v = v_.data();
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i] * grad_scale;
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    w[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_c2 + eps);
  }
  params.touch();
}

}  // namespace rnmt
