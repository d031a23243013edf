#include "core/init.hpp"

#include <cmath>
#include <vector>

namespace rnmt {

void init_uniform(float* w, int64_t n, float limit, Rng& rng) {
  for (int64_t i = 0; i < n; ++i) w[i] = rng.uniform(-limit, limit);
}

void init_xavier(float* w, int64_t fan_in, int64_t fan_out, Rng& rng) {
  init_uniform(w, fan_in * fan_out, std::sqrt(6.0f / static_cast<float>(fan_in + fan_out)), rng);
}

void init_orthogonal(float* w, int64_t rows, int64_t cols, int64_t ld, Rng& rng) {
  // Gram-Schmidt (twice, for stability) on the vectors along the longer side of a Gaussian matrix.
  const bool by_columns = rows >= cols;
  const int64_t count = by_columns ? cols : rows, length = by_columns ? rows : cols;
  std::vector<double> q(static_cast<size_t>(count * length));
  for (auto& x : q) x = rng.normal();
  for (int64_t i = 0; i < count; ++i) {
    double* v = &q[static_cast<size_t>(i * length)];
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t j = 0; j < i; ++j) {
        const double* u = &q[static_cast<size_t>(j * length)];
        double dot = 0;
        for (int64_t k = 0; k < length; ++k) dot += u[k] * v[k];
        for (int64_t k = 0; k < length; ++k) v[k] -= dot * u[k];
      }
    }
    double norm = 0;
    for (int64_t k = 0; k < length; ++k) norm += v[k] * v[k];
    norm = std::sqrt(norm);
    for (int64_t k = 0; k < length; ++k) v[k] /= norm;
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      double x = by_columns ? q[static_cast<size_t>(c * length + r)]
                            : q[static_cast<size_t>(r * length + c)];
      w[r * ld + c] = static_cast<float>(x);
    }
  }
}

}  // namespace rnmt
