#pragma once
// Plain C++ attention (double precision) for one query against one sentence's memory: the oracle
// for the batched oneDNN implementation.
#include <cmath>
#include <cstdint>
#include <vector>

#include "attention/attention.hpp"

namespace rnmt::reference {

// q [Q], memory rows m_s [M] for s < len. Weights as the Params hold them: W_a [Q,M],
// W_k [Q,M] + b_k [Q], W_q [Q,Q], v [Q], W_c [Q, M+Q]. Returns out [Q]; fills probs [len].
inline std::vector<double> attend(AttentionType type, const float* q, int64_t Q,
                                  const std::vector<const float*>& memory, int64_t M,
                                  const float* W_a, const float* W_k, const float* b_k,
                                  const float* W_q, const float* v, const float* W_c,
                                  std::vector<double>& probs) {
  const auto len = static_cast<int64_t>(memory.size());
  if (type == AttentionType::none) return std::vector<double>(q, q + Q);
  std::vector<double> score(static_cast<size_t>(len));
  for (int64_t s = 0; s < len; ++s) {
    const float* m = memory[static_cast<size_t>(s)];
    double e = 0;
    if (type == AttentionType::dot) {
      for (int64_t i = 0; i < Q; ++i) e += static_cast<double>(q[i]) * m[i];
    } else if (type == AttentionType::general) {
      for (int64_t i = 0; i < Q; ++i) {
        double key = 0;
        for (int64_t k = 0; k < M; ++k) key += static_cast<double>(W_a[i * M + k]) * m[k];
        e += q[i] * key;
      }
    } else {
      for (int64_t a = 0; a < Q; ++a) {
        double z = b_k[a];
        for (int64_t k = 0; k < M; ++k) z += static_cast<double>(W_k[a * M + k]) * m[k];
        for (int64_t k = 0; k < Q; ++k) z += static_cast<double>(W_q[a * Q + k]) * q[k];
        e += v[a] * std::tanh(z);
      }
    }
    score[static_cast<size_t>(s)] = e;
  }
  double mx = score[0], sum = 0;
  for (double e : score) mx = std::max(mx, e);
  probs.assign(static_cast<size_t>(len), 0.0);
  for (int64_t s = 0; s < len; ++s)
    sum += probs[static_cast<size_t>(s)] = std::exp(score[static_cast<size_t>(s)] - mx);
  for (auto& p : probs) p /= sum;
  std::vector<double> cat(static_cast<size_t>(M + Q), 0.0);
  for (int64_t s = 0; s < len; ++s) {
    for (int64_t k = 0; k < M; ++k)
      cat[static_cast<size_t>(k)] +=
          probs[static_cast<size_t>(s)] * memory[static_cast<size_t>(s)][k];
  }
  for (int64_t k = 0; k < Q; ++k) cat[static_cast<size_t>(M + k)] = q[k];
  std::vector<double> out(static_cast<size_t>(Q));
  for (int64_t i = 0; i < Q; ++i) {
    double z = 0;
    for (int64_t k = 0; k < M + Q; ++k) z += W_c[i * (M + Q) + k] * cat[static_cast<size_t>(k)];
    out[static_cast<size_t>(i)] = std::tanh(z);
  }
  return out;
}

}  // namespace rnmt::reference
