#pragma once
// Plain C++ (double precision, no oneDNN) recurrent cells in oneDNN's conventions: the oracle the
// oneDNN paths are checked against.
#include <cmath>
#include <cstdint>
#include <vector>

#include "rnn/cell_math.hpp"

namespace rnmt::reference {

using cell_math::sigmoid;

// gates[g*H + j] = Σ_i x[i]·Wl[i][g][j] + Σ_k h[k]·Wi[k][g][j] + b[g][j]   (ldigo weights)
inline std::vector<double> gate_inputs(const float* x, int64_t I, const double* h, int64_t H,
                                       int64_t G, const float* w_layer, const float* w_iter,
                                       const float* bias, bool separate_last_recurrent,
                                       std::vector<double>* recurrent_last) {
  std::vector<double> gates(static_cast<size_t>(G * H));
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t j = 0; j < H; ++j) {
      double from_x = bias[g * H + j], from_h = 0;
      for (int64_t i = 0; i < I; ++i)
        from_x += x[i] * static_cast<double>(w_layer[(i * G + g) * H + j]);
      for (int64_t k = 0; k < H; ++k) from_h += h[k] * w_iter[(k * G + g) * H + j];
      if (separate_last_recurrent && g == G - 1) {
        (*recurrent_last)[static_cast<size_t>(j)] = from_h;
        gates[static_cast<size_t>(g * H + j)] = from_x;
      } else {
        gates[static_cast<size_t>(g * H + j)] = from_x + from_h;
      }
    }
  }
  return gates;
}

// LSTM over one sequence x [T][I] from (h, c): i, f, c̃, o gates; returns the outputs [T][H] and
// leaves the final states in h, c.
inline std::vector<double> lstm_sequence(const float* x, int64_t T, int64_t I, int64_t H,
                                         const float* w_layer, const float* w_iter,
                                         const float* bias, std::vector<double>& h,
                                         std::vector<double>& c) {
  std::vector<double> out;
  for (int64_t t = 0; t < T; ++t) {
    auto g = gate_inputs(x + t * I, I, h.data(), H, 4, w_layer, w_iter, bias, false, nullptr);
    for (int64_t j = 0; j < H; ++j) {
      const auto step = cell_math::lstm_step(g[j], g[H + j], g[2 * H + j], g[3 * H + j], c[j]);
      c[j] = step.c;
      h[j] = step.h;
    }
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

// Linear-before-reset GRU: u, r, o gates; bias [4][H] where b[3] is added to the recurrent part of
// o before the reset gate scales it:  o = tanh(W_o x + b_o + r ⊙ (U_o h + b_3)),
// h' = u ⊙ h + (1 - u) ⊙ o.
inline std::vector<double> gru_sequence(const float* x, int64_t T, int64_t I, int64_t H,
                                        const float* w_layer, const float* w_iter,
                                        const float* bias, std::vector<double>& h) {
  std::vector<double> out, rec(static_cast<size_t>(H));
  for (int64_t t = 0; t < T; ++t) {
    auto g = gate_inputs(x + t * I, I, h.data(), H, 3, w_layer, w_iter, bias, true, &rec);
    for (int64_t j = 0; j < H; ++j)
      h[j] = cell_math::gru_step(g[j], g[H + j], g[2 * H + j], rec[j] + bias[3 * H + j], h[j]).h;
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

}  // namespace rnmt::reference
