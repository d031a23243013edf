#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "layers/dropout.hpp"
#include "rnn/rnn_layer.hpp"

namespace rnmt {

// The decoder's recurrent stack: 1..N LSTM or GRU layers, dropout between layers. Two ways to run:
// - whole sequence (teacher forcing, no input feeding): one primitive call per layer over [T, N];
// - step by step (input feeding): the caller builds each step's input from the previous attentional
//   vector, so each layer runs a T=1 primitive per step, keeping every step's states and workspace
//   for the backward steps, which run in reverse order.
class Decoder {
 public:
  Decoder(ParamSet& params, const std::string& name, Cell cell, int64_t input, int64_t hidden,
          int64_t layers, float dropout);
  void init(Rng& rng);
  Cell cell() const { return layers_.front().rnn.cell(); }
  int64_t hidden() const { return hidden_; }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }

  // Prepares a sequence of T steps for N rows from initial states h0(l), c0(l) ([N,hidden] each,
  // c0 only for LSTM) given as [layers, N, hidden] buffers.
  void begin(int64_t T, int64_t N, const float* h0, const float* c0, Rng& rng, bool training,
             bool stepwise);
  // Whole sequence: x [T, N, input].
  void forward(const float* x);
  // Step t of a stepwise sequence: x_t [N, input], valid until backward.
  void forward_step(int64_t t, const float* x_t);
  // Inference (search), one step at a time over a set of rows that changes between steps: the
  // states live here, [layers, N, hidden] each. begin_inference takes the initial states (c0 only
  // for LSTM) of N rows; step_inference runs one step of every layer on x [N, input] and returns
  // the top layer's new states [N, hidden]; select_rows then makes row i what row from[i] was, for
  // from.size() rows (beam reordering, finished sentences leaving, padding rows).
  void begin_inference(int64_t N, const float* h0, const float* c0);
  const float* step_inference(const float* x);
  void select_rows(const std::vector<int32_t>& from);
  int64_t inference_rows() const { return inference_rows_; }

  // The top layer's outputs [T, N, hidden].
  const float* output() const { return layers_.back().y.data(); }

  // Whole sequence: d_output [T,N,hidden] -> dx [T,N,input].
  void backward(const float* d_output, float* dx);
  // Step t (called for t = T-1 .. 0): d_output_t [N,hidden] -> dx_t [N,input].
  void backward_step(int64_t t, const float* d_output_t, float* dx_t);
  // After backward: gradients of the initial states, [layers, N, hidden].
  const float* d_h0() const { return d_h0_.data(); }
  const float* d_c0() const { return d_c0_.data(); }

 private:
  struct Layer {
    RnnLayer rnn;
    Dropout dropout;  // on the input from the layer below (layers above the first)
    Tensor x;         // dropped input from the layer below [T,N,hidden] (when dropout is active)
    Tensor y, c;      // outputs h [T,N,H]; cell states [T,N,H] in stepwise LSTM mode
    Tensor workspace;
    size_t ws_step = 0;               // workspace floats of one step (stepwise)
    Tensor dh, dh_next, dc, dc_next;  // stepwise gradient carries [N,H]
    Tensor dy;                        // gradient into this layer's outputs
  };
  const float* layer_input(size_t l, const float* x, int64_t offset) const;
  const float* state_before(const Tensor& states, const float* initial, int64_t t) const;

  int64_t hidden_, T_ = 0, N_ = 0;
  bool stepwise_ = false;
  const float* h0_ = nullptr;
  const float* c0_ = nullptr;
  const float* x_ = nullptr;           // whole-sequence input
  std::vector<const float*> x_steps_;  // stepwise inputs
  std::vector<Layer> layers_;
  Tensor d_h0_, d_c0_;
  int64_t inference_rows_ = 0;
  Tensor inference_h_, inference_c_, inference_h_next_, inference_c_next_;
};

}  // namespace rnmt
