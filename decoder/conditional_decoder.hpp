#pragma once
#include <cstdint>
#include <string>

#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "rnn/rnn_layer.hpp"

namespace rnmt {

// A conditional cell, one layer (Marian's cGRU and cLSTM, DecoderCell::cgru/clstm): step t runs the
// first cell on x_t (the previous word's embedding) from the state after step t-1, giving s1_t,
// the query of the attention; the caller attends; the second cell runs on the attention's context
// from s1_t, giving s_t, the step's output and the next step's state. Training keeps every step's
// states and workspaces, and the backward steps run in reverse order, each in two halves around the
// attention's backward.
class ConditionalDecoder {
 public:
  ConditionalDecoder(ParamSet& params, const std::string& name, Cell cell, int64_t input,
                     int64_t context, int64_t hidden);
  void init(Rng& rng);
  // The arithmetic of training (forward and backward): f32, or bf16 in both cells (RnnLayer).
  void set_training_compute(ComputeType compute);
  Cell cell() const { return first_.cell(); }
  int64_t hidden() const { return hidden_; }
  RnnLayer& first() { return first_; }
  RnnLayer& second() { return second_; }

  // Prepares T steps for N rows from the initial state h0, c0 [N, hidden] (c0: LSTM only), kept by
  // pointer until backward.
  void begin(int64_t T, int64_t N, const float* h0, const float* c0);
  // Step t's first cell: x_t [N, input] (kept by pointer until backward) -> the query s1_t
  // [N, hidden] (returned).
  const float* forward_first(int64_t t, const float* x_t);
  // Step t's second cell: the context [N, context] (kept by pointer until backward) -> s_t.
  void forward_second(int64_t t, const float* context_t);
  // The outputs s [T, N, hidden].
  const float* output() const { return s_.data(); }

  // Backward of step t (t = T-1 .. 0), first the second cell: d_output_t [N, hidden], the gradient
  // reaching s_t from the layers above -> d_context_t [N, context] (written).
  void backward_second(int64_t t, const float* d_output_t, float* d_context_t);
  // Then the first cell: d_query_t [N, hidden], the attention's gradient of s1_t (the second
  // cell's is added here) -> dx_t [N, input] (written).
  void backward_first(int64_t t, const float* d_query_t, float* dx_t);
  // After step 0's backward: the gradients of the initial state [N, hidden] (d_c0: LSTM only).
  const float* d_h0() const { return d_h0_.data(); }
  const float* d_c0() const { return d_c0_.data(); }

  // Inference (search), one step of `rows` rows: the first cell, x [rows, input] and the state h, c
  // [rows, hidden] -> h1, c1 [rows, hidden] (c: LSTM only, else null)...
  void first_inference(int64_t rows, const float* x, const float* h, const float* c, float* h1,
                       float* c1, ComputeType compute);
  // ... then the second cell: the context [rows, context] and h1, c1 -> h_next, c_next.
  void second_inference(int64_t rows, const float* context, const float* h1, const float* c1,
                        float* h_next, float* c_next, ComputeType compute);

 private:
  RnnForward first_call(int64_t t);
  RnnForward second_call(int64_t t);

  RnnLayer first_, second_;
  int64_t hidden_, T_ = 0, N_ = 0;
  const float* h0_ = nullptr;              // [N, H] initial state, the caller's
  const float* c0_ = nullptr;              // [N, H] (LSTM) or null
  std::vector<const float*> x_, context_;  // [T] each step's inputs, [N, input] and [N, context]
  Tensor s1_, c1_, s_, c_;                 // [T, N, H] the cells' states (c1_, c_: LSTM only)
  Tensor workspace1_, workspace2_;         // oneDNN's, T steps of each cell
  size_t ws1_step_ = 0, ws2_step_ = 0;     // workspace floats of one step
  Tensor dh_, dc_;                         // [N, H] the gradient reaching s_t (c_t) from step t+1
  Tensor d_s1_, d_c1_, d_query_;           // [N, H] the gradient of s1_t (c1_t), of both uses
  Tensor d_h0_, d_c0_;                     // [N, H]
};

}  // namespace rnmt
