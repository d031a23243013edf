#pragma once
#include <cstdint>
#include <vector>

#include "rnn/rnn_layer.hpp"
#include "rnn/rnn_recording.hpp"

namespace rnmt {

// One recurrent layer's work over a whole batch sequence, merged from its recorded calls (a
// stepwise decoder layer's T one-step calls become one sequence).
struct LayerSequence {
  Cell cell = Cell::lstm;
  int64_t T = 0, N = 0, input = 0, hidden = 0;
  std::vector<float> x;         // [T, N, input]
  std::vector<float> h0, c0;    // [N, hidden] (c0: LSTM only)
  std::vector<float> y;         // [T, N, hidden]
  std::vector<float> dy;        // [T, N, hidden] gradient arriving at the outputs; empty: none
  std::vector<float> dhT, dcT;  // [N, hidden] arriving at the final states
  // [T, N, hidden] the states before each step when the layer's steps do not read its own last
  // outputs (the conditional decoders' cells: the first reads the second's state, the second the
  // first's); empty: h0, c0, then the layer's own
  std::vector<float> h_prev, c_prev;
};
// Throws when the recording holds no forward, or calls that do not chain (other N). With
// own_states false (the conditional decoders' cells), every call is one step, and each step's
// previous state is the call's initial one (h_prev, c_prev).
LayerSequence merge_calls(const RnnRecording& recording, const RnnLayer& layer,
                          bool own_states = true);

// The layer's weights as plain pointers (ldigo [input, G, hidden], [hidden, G, hidden], [4, H]).
struct LayerWeights {
  const float* w_layer = nullptr;
  const float* w_iter = nullptr;
  const float* bias = nullptr;
};
LayerWeights weights_of(RnnLayer& layer);

// The gate activations of a sequence, recomputed from what the layer read (x_t and h_{t-1}, the
// recorded outputs) with its weights: the values inside oneDNN's cell, which it does not return.
// LSTM gates: input, forget, candidate, output; GRU (linear before reset): update, reset,
// candidate.
struct GateActivity {
  int64_t G = 0, T = 0, N = 0, H = 0;
  std::vector<float> gates;                // [G, T, N, H] after their nonlinearities
  std::vector<float> cell_state;           // [T, N, H] LSTM only: c_t
  std::vector<float> recurrent_candidate;  // [T, N, H] GRU only: U_o h_{t-1} + b_3
  // max |h_t recomputed from these gates - h_t the layer returned|, over every position: a check
  // that the recomputation is the layer's own arithmetic (about 1e-6 when it is).
  float max_output_error = 0.0f;
};
GateActivity recompute_gates(const LayerSequence& sequence, const LayerWeights& weights);

// The gradient of the loss with respect to every hidden state h_t: what arrives at the output
// (dy_t) plus what flows back from step t+1, by backpropagation through time with the recomputed
// gates. dx and dh0 (and dc0) are the same quantities oneDNN's backward returns, so tests compare
// them to check the recurrence.
struct StateGradients {
  std::vector<float> dh;        // [T, N, H] total dL/dh_t
  std::vector<float> dx;        // [T, N, input]
  std::vector<float> dh0, dc0;  // [N, H]
};
StateGradients gradients_through_time(const LayerSequence& sequence, const GateActivity& gates,
                                      const LayerWeights& weights);

}  // namespace rnmt
