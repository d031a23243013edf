#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "decoder/bridge_types.hpp"
#include "layers/linear.hpp"
#include "rnn/rnn_layer.hpp"

namespace rnmt {

// Encoder final state -> each decoder layer's initial state: h0_l = tanh(W_l·s + b_l), and for an
// LSTM decoder also c0_l = tanh(W'_l·s + b'_l). s is the encoder's final hidden states of both
// directions: oneDNN does not return a padded row's final *cell* state, so the bridge reads h only.
class Bridge {
 public:
  Bridge(ParamSet& params, const std::string& name, int64_t input, int64_t hidden, int64_t layers,
         Cell cell, BridgeType type = BridgeType::tanh);
  void init(Rng& rng);

  // encoder_final [N, input], kept by pointer until backward.
  void forward(int64_t N, const float* encoder_final);
  // BridgeType::mean: memory [S, N, input] (the encoder's outputs; kept by pointer until backward)
  // and the sentences' lengths [N] (likewise).
  void forward_mean(int64_t N, const float* memory, const int32_t* lengths);
  // BridgeType::copy and copy_relu (inference only): the initial states are the encoder's per-layer
  // final states, layer_h and layer_c [layers, N, hidden] (Encoder::layer_final_h/c), for copy_relu
  // through its ReLU layers.
  void copy(int64_t N, const float* layer_h, const float* layer_c);
  const float* h0(int64_t layer) const { return h_.data() + layer * N_ * hidden_; }
  const float* c0(int64_t layer) const {
    return has_c() ? c_.data() + layer * N_ * hidden_ : nullptr;
  }
  bool has_c() const { return cell_ == Cell::lstm; }
  BridgeType type() const { return type_; }

  // dh0, dc0 [layers, N, hidden] -> d encoder_final [N, input] (written).
  void backward(const float* dh0, const float* dc0, float* dfinal);
  // BridgeType::mean: dh0, dc0 -> d memory [S, N, input] (added to).
  void backward_mean(const float* dh0, const float* dc0, float* d_memory);

 private:
  int64_t hidden_, layers_, N_ = 0;
  Cell cell_;
  BridgeType type_;
  std::vector<Linear> to_h_, to_c_;  // one per decoder layer (to_c_: LSTM only)
  // copy_relu: one for the hidden states and one for the cell states (LSTM), [layers·hidden/2]
  // squared, applied to each half of a sentence's states of all layers end to end (OpenNMT-py's)
  std::vector<Linear> relu_;
  Tensor gathered_, through_;  // [2N, layers·hidden/2] those halves, before and after
  void through_relu(const Linear& layer, Tensor& states);
  const float* encoder_final_ = nullptr;  // [N, input], the caller's or mean_
  const float* memory_ = nullptr;         // the encoder's outputs [S, N, input],
  const int32_t* lengths_ = nullptr;      // the sentences' lengths [N] (the caller's)
  Tensor mean_, d_mean_;                  // [N, input] their mean and its gradient
  Tensor h_, c_;                          // [layers, N, hidden] initial states
  Tensor dpre_, dsum_;                    // [N, hidden] gradients before a tanh, of h0 + c0
};

}  // namespace rnmt
