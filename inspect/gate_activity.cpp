#include "inspect/gate_activity.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/matmul.hpp"
#include "rnn/cell_math.hpp"

namespace rnmt {

namespace {

void append(std::vector<float>& to, const std::vector<float>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

LayerSequence merge_calls(const RnnRecording& recording, const RnnLayer& layer, bool own_states) {
  if (recording.forwards.empty()) throw Error("inspect: a layer recorded no forward call");
  LayerSequence s;
  s.cell = layer.cell();
  s.input = layer.input();
  s.hidden = layer.hidden();
  s.N = recording.forwards.front().N;
  s.h0 = recording.forwards.front().h0;
  s.c0 = recording.forwards.front().c0;
  for (const RnnRecording::Forward& f : recording.forwards) {
    if (f.N != s.N) throw Error("inspect: a layer's calls have different batch sizes");
    s.T += f.T;
    append(s.x, f.x);
    append(s.y, f.y);
    if (own_states) continue;
    if (f.T != 1) throw Error("inspect: a conditional cell's call is not one step");
    append(s.h_prev, f.h0);
    append(s.c_prev, f.c0);
  }
  if (recording.backwards.empty()) return s;
  // Backward calls run in reverse time: the first covers the last steps and receives the final
  // states' gradients.
  int64_t steps = 0;
  for (auto b = recording.backwards.rbegin(); b != recording.backwards.rend(); ++b) {
    if (b->N != s.N) throw Error("inspect: a layer's calls have different batch sizes");
    steps += b->T;
    append(s.dy, b->dy);
  }
  if (steps != s.T) throw Error("inspect: a layer's backward calls do not cover its forward");
  s.dhT = recording.backwards.front().dhT;
  s.dcT = recording.backwards.front().dcT;
  return s;
}

LayerWeights weights_of(RnnLayer& layer) {
  return {layer.weights_layer().w, layer.weights_iter().w, layer.bias().w};
}

GateActivity recompute_gates(const LayerSequence& s, const LayerWeights& w) {
  const bool lstm = s.cell == Cell::lstm;
  const int64_t G = weight_gates(s.cell), T = s.T, N = s.N, H = s.hidden, GH = G * H;
  GateActivity a;
  a.G = G;
  a.T = T;
  a.N = N;
  a.H = H;
  // Input parts of every step at once: [T·N, input] · [input, G·H] + bias[0..G).
  std::vector<float> pre(static_cast<size_t>(T * N * GH));  // [T, N, G, H]
  gemm({.m = T * N,
        .n = GH,
        .k = s.input,
        .a = {s.x.data(), s.input},
        .b = {w.w_layer, GH},
        .c = pre.data(),
        .ldc = GH,
        .bias = w.bias});
  std::vector<float> recurrent(static_cast<size_t>(N * GH));  // [N, G, H]
  a.gates.resize(static_cast<size_t>(G * T * N * H));
  if (lstm) a.cell_state.resize(static_cast<size_t>(T * N * H));
  if (!lstm) a.recurrent_candidate.resize(static_cast<size_t>(T * N * H));
  auto gate = [&](int64_t g, int64_t t, int64_t n) {
    return &a.gates[(((g * T + t) * N + n) * H)];
  };
  float max_error = 0.0f;
  for (int64_t t = 0; t < T; ++t) {
    const float* h_prev = !s.h_prev.empty() ? s.h_prev.data() + t * N * H
                          : t == 0          ? s.h0.data()
                                            : s.y.data() + (t - 1) * N * H;
    gemm({.m = N,
          .n = GH,
          .k = H,
          .a = {h_prev, H},
          .b = {w.w_iter, GH},
          .c = recurrent.data(),
          .ldc = GH});
    for (int64_t n = 0; n < N; ++n) {
      const float* p = pre.data() + (t * N + n) * GH;
      const float* r = recurrent.data() + n * GH;
      const float* y = s.y.data() + (t * N + n) * H;
      for (int64_t j = 0; j < H; ++j) {
        float h_new;
        if (lstm) {
          const float c_prev =
              !s.c_prev.empty() ? s.c_prev[static_cast<size_t>((t * N + n) * H + j)]
              : t == 0          ? s.c0[static_cast<size_t>(n * H + j)]
                                : a.cell_state[static_cast<size_t>(((t - 1) * N + n) * H + j)];
          const auto step =
              cell_math::lstm_step(p[j] + r[j], p[H + j] + r[H + j], p[2 * H + j] + r[2 * H + j],
                                   p[3 * H + j] + r[3 * H + j], c_prev);
          gate(0, t, n)[j] = step.i;
          gate(1, t, n)[j] = step.f;
          gate(2, t, n)[j] = step.g;
          gate(3, t, n)[j] = step.o;
          a.cell_state[(t * N + n) * H + j] = step.c;
          h_new = step.h;
        } else {
          const float rec = r[2 * H + j] + w.bias[3 * H + j];
          const auto step = cell_math::gru_step(p[j] + r[j], p[H + j] + r[H + j], p[2 * H + j], rec,
                                                h_prev[n * H + j]);
          gate(0, t, n)[j] = step.u;
          gate(1, t, n)[j] = step.r;
          gate(2, t, n)[j] = step.o;
          a.recurrent_candidate[(t * N + n) * H + j] = rec;
          h_new = step.h;
        }
        max_error = std::max(max_error, std::fabs(h_new - y[j]));
      }
    }
  }
  a.max_output_error = max_error;
  return a;
}

StateGradients gradients_through_time(const LayerSequence& s, const GateActivity& a,
                                      const LayerWeights& w) {
  if (s.dy.empty()) throw Error("inspect: gradients through time need a recorded backward");
  const bool lstm = s.cell == Cell::lstm;
  const int64_t G = a.G, T = s.T, N = s.N, H = s.hidden, GH = G * H;
  StateGradients out;
  out.dh.resize(static_cast<size_t>(T * N * H));
  std::vector<float> d_pre_x(static_cast<size_t>(T * N * GH));  // [T, N, G, H] into W_layer
  std::vector<float> d_pre_h(static_cast<size_t>(N * GH));      // [N, G, H] into W_iter
  std::vector<float> dh_carry = s.dhT;                          // [N, H] from step t+1
  std::vector<float> dc_carry = lstm ? s.dcT : std::vector<float>();
  std::vector<float> dh_prev(static_cast<size_t>(N * H));
  auto gate = [&](int64_t g, int64_t t, int64_t n) {
    return &a.gates[(((g * T + t) * N + n) * H)];
  };
  for (int64_t t = T; t-- > 0;) {
    for (int64_t n = 0; n < N; ++n) {
      float* dpx = d_pre_x.data() + (t * N + n) * GH;
      float* dph = d_pre_h.data() + n * GH;
      float* dh_total = out.dh.data() + (t * N + n) * H;
      const float* h_prev = t == 0 ? s.h0.data() + n * H : s.y.data() + ((t - 1) * N + n) * H;
      for (int64_t j = 0; j < H; ++j) {
        const float dh = s.dy[(t * N + n) * H + j] + dh_carry[n * H + j];
        dh_total[j] = dh;
        if (lstm) {
          const float i = gate(0, t, n)[j], f = gate(1, t, n)[j], g = gate(2, t, n)[j],
                      o = gate(3, t, n)[j];
          const float c = a.cell_state[(t * N + n) * H + j];
          const float c_prev =
              !s.c_prev.empty() ? s.c_prev[static_cast<size_t>((t * N + n) * H + j)]
              : t == 0          ? s.c0[static_cast<size_t>(n * H + j)]
                                : a.cell_state[static_cast<size_t>(((t - 1) * N + n) * H + j)];
          const float tc = std::tanh(c);
          const float dc = dc_carry[n * H + j] + dh * o * (1 - tc * tc);
          dpx[j] = dc * g * i * (1 - i);
          dpx[H + j] = dc * c_prev * f * (1 - f);
          dpx[2 * H + j] = dc * i * (1 - g * g);
          dpx[3 * H + j] = dh * tc * o * (1 - o);
          for (int64_t k = 0; k < 4; ++k) dph[k * H + j] = dpx[k * H + j];
          dc_carry[n * H + j] = dc * f;
          dh_prev[n * H + j] = 0;
        } else {
          const float u = gate(0, t, n)[j], r = gate(1, t, n)[j], o = gate(2, t, n)[j];
          const float rec = a.recurrent_candidate[(t * N + n) * H + j];
          const float d_o = dh * (1 - u) * (1 - o * o);
          dpx[j] = dh * (h_prev[j] - o) * u * (1 - u);
          dpx[H + j] = d_o * rec * r * (1 - r);
          dpx[2 * H + j] = d_o;
          dph[j] = dpx[j];
          dph[H + j] = dpx[H + j];
          dph[2 * H + j] = d_o * r;  // the reset gate scales the recurrent part
          dh_prev[n * H + j] = dh * u;
        }
      }
    }
    // dh_{t-1} += d_pre_h · W_iter^T
    gemm({.m = N,
          .n = H,
          .k = GH,
          .a = {d_pre_h.data(), GH},
          .b = {w.w_iter, GH, true},
          .c = dh_prev.data(),
          .ldc = H,
          .accumulate = true});
    dh_carry = dh_prev;
  }
  out.dh0 = dh_carry;
  out.dc0 = dc_carry;
  out.dx.resize(static_cast<size_t>(T * N * s.input));
  gemm({.m = T * N,
        .n = s.input,
        .k = GH,
        .a = {d_pre_x.data(), GH},
        .b = {w.w_layer, GH, true},
        .c = out.dx.data(),
        .ldc = s.input});
  return out;
}

}  // namespace rnmt
