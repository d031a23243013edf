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
  // The arithmetic of training (forward and backward): f32, or bf16 in every recurrent layer
  // (RnnLayer).
  void set_training_compute(ComputeType compute);
  Cell cell() const { return layers_.front().rnn.cell(); }
  int64_t hidden() const { return hidden_; }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  RnnLayer& layer(size_t l) { return layers_.at(l).rnn; }  // inspection

  // Prepares a sequence of T steps for N rows from initial states h0(l), c0(l) ([N,hidden] each,
  // c0 only for LSTM) given as [layers, N, hidden] buffers.
  void begin(int64_t T, int64_t N, const float* h0, const float* c0, Rng& rng, bool training,
             bool stepwise);
  // Whole sequence: x [T, N, input].
  void forward(const float* x);
  // Step t of a stepwise sequence: x_t [N, input], valid until backward.
  void forward_step(int64_t t, const float* x_t);
  // Inference (search): one step of every layer for `rows` rows. x [rows, input]; h, c
  // [layers, rows, hidden] the states before the step (c: LSTM only, else null) -> h_next, c_next
  // after it (the top layer's at layer layers-1).
  void forward_inference(int64_t rows, const float* x, const float* h, const float* c,
                         float* h_next, float* c_next, ComputeType compute = ComputeType::f32);
  // The largest magnitude of the first layer's input (embeddings, attentional vectors) for int8.
  void set_int8_input_bound(float bound) { layers_.front().rnn.set_int8_input_bound(bound); }

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
    Dropout dropout;     // on the input from the layer below (layers above the first)
    Tensor x;            // [T, N, H] dropped input from the layer below (when dropout is active)
    Tensor y;            // [T, N, H] outputs h
    Tensor c;            // [T, N, H] cell states in stepwise LSTM mode; [N, H] the final one else
    Tensor workspace;    // oneDNN's, of the whole sequence or T steps
    size_t ws_step = 0;  // workspace floats of one step (stepwise)
    Tensor dh, dh_next, dc, dc_next;  // [N, H] stepwise gradient carries
    Tensor dy;                        // [T, N, H] or [N, H]: gradient into this layer's outputs
  };
  const float* layer_input(size_t l, const float* x, int64_t offset) const;
  const float* state_before(const Tensor& states, const float* initial, int64_t t) const;
  // Layer l's training call: the whole sequence, or step t of a stepwise one.
  RnnForward sequence_call(size_t l);
  RnnForward step_call(size_t l, int64_t t);

  int64_t hidden_, T_ = 0, N_ = 0;
  bool stepwise_ = false;
  const float* h0_ = nullptr;          // [layers, N, H] initial states, kept from begin()
  const float* c0_ = nullptr;          // [layers, N, H] (LSTM) or null
  const float* x_ = nullptr;           // [T, N, input] whole-sequence input
  std::vector<const float*> x_steps_;  // [T] stepwise inputs, each [N, input]
  std::vector<Layer> layers_;
  Tensor d_h0_, d_c0_;  // [layers, N, H]
};

}  // namespace rnmt
