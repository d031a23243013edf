#pragma once
#include <bit>
#include <cstdint>

namespace rnmt {

// exp for float that the compiler vectorises (std::exp is a library call it will not): Cephes'
// range reduction x = n·ln2 + r and a degree-6 polynomial for exp(r), about 2 ulp over the range.
inline float fast_exp(float x) {
  x = x < -87.33f ? -87.33f : (x > 88.72f ? 88.72f : x);
  // Round to nearest by adding and removing 1.5·2^23: plain arithmetic, so it vectorises (roundf
  // does not), exact for |x·log2 e| < 2^22.
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

inline float fast_tanh(float x) {
  // 1 - 2/(e^{2x}+1): exact limits at both ends, absolute error near 1e-7 around 0.
  return 1.0f - 2.0f / (fast_exp(2.0f * x) + 1.0f);
}

// y = tanh(x) in place over n floats, and its backward: d = dy ⊙ (1 - y²).
inline void tanh_inplace(float* x, int64_t n) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) x[i] = fast_tanh(x[i]);
}

inline void tanh_backward(const float* y, const float* dy, float* d, int64_t n) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) d[i] = dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace rnmt
