#include "training/clip.hpp"

#include <cmath>
#include <cstdint>

namespace rnmt {

double gradient_norm(const ParamSet& params) {
  const auto n = static_cast<int64_t>(params.total());
  const float* g = params.grads();
  double sum = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
  return std::sqrt(sum);
}

float clip_factor(double norm, double max_norm) {
  if (max_norm <= 0 || !(norm > max_norm)) return 1.0f;
  return static_cast<float>(max_norm / (norm + 1e-6));
}

}  // namespace rnmt
