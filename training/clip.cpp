#include "training/clip.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace rnmt {

double gradient_norm(const ParamSet& params) {
  // Sums over fixed blocks, then the blocks in order: the same norm on any thread count (an OpenMP
  // reduction adds each thread's part, so its rounding depends on how many there are).
  constexpr int64_t kBlock = 1 << 14;
  const auto n = static_cast<int64_t>(params.total());
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  const float* g = params.grads();
  std::vector<double> block_sums(static_cast<size_t>(blocks));  // once a step: not a hot loop
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < blocks; ++b) {
    double sum = 0;
    const int64_t end = std::min(n, (b + 1) * kBlock);
#pragma omp simd reduction(+ : sum)
    for (int64_t i = b * kBlock; i < end; ++i) sum += static_cast<double>(g[i]) * g[i];
    block_sums[static_cast<size_t>(b)] = sum;
  }
  double sum = 0;
  for (const double s : block_sums) sum += s;
  return std::sqrt(sum);
}

float clip_factor(double norm, double max_norm) {
  if (max_norm <= 0 || !(norm > max_norm)) return 1.0f;
  return static_cast<float>(max_norm / (norm + 1e-6));
}

}  // namespace rnmt
