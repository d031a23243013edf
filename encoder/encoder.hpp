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

// Bidirectional LSTM (or GRU) encoder, 1..N layers, `hidden` units per direction, the two
// directions' outputs concatenated. oneDNN's bidirectional primitive would read end padding first
// in the right-to-left direction, so each direction is a left-to-right primitive and the
// right-to-left one reads every sentence reversed within its own length. A sentence's states inside
// a padded batch are therefore exactly those it gets alone.
class Encoder {
 public:
  // With layer_final_states, forward_inference also gives every layer's final states
  // (layer_final_h/c), which the copy bridge starts the decoder from.
  Encoder(ParamSet& params, const std::string& name, int64_t input, int64_t hidden, int64_t layers,
          float dropout, bool layer_final_states = false, Cell cell = Cell::lstm);
  void init(Rng& rng);
  // The arithmetic of training (forward and backward): f32, or bf16 in every recurrent layer
  // (RnnLayer).
  void set_training_compute(ComputeType compute);
  int64_t output_size() const { return 2 * hidden_; }
  int64_t hidden() const { return hidden_; }
  size_t num_layers() const { return layers_.size(); }
  // Layer l's direction (inspection): the right-to-left one reads each sentence reversed.
  RnnLayer& direction(size_t l, bool right_to_left) {
    return right_to_left ? layers_.at(l).backward_dir : layers_.at(l).forward_dir;
  }

  // x [S,N,input] embedded source, lengths [N] (each >= 1). Fills memory() [S,N,2H], zero at
  // padding, and final_state() [N,2H]: the top layer's left-to-right state at the last token and
  // right-to-left state at the first. `training` turns dropout on. x must stay alive until
  // backward.
  void forward(int64_t S, int64_t N, const float* x, const int32_t* lengths, Rng& rng,
               bool training);
  // The same outputs on oneDNN's inference primitives, keeping nothing for backward (search); in
  // int8 on u8s8 ones (RnnLayer::forward_inference).
  void forward_inference(int64_t S, int64_t N, const float* x, const int32_t* lengths,
                         ComputeType compute = ComputeType::f32);
  // The largest magnitude of the first layer's input (the embeddings) for int8 inference.
  void set_int8_input_bound(float bound);
  const Tensor& memory() const { return layers_.back().out; }
  const Tensor& final_state() const { return final_; }
  // After a forward, with layer_final_states: [layers, N, 2H] each layer's hidden and cell
  // states at each sentence's own last piece, left-to-right then right-to-left (OpenNMT-py's
  // decoders start from these).
  const Tensor& layer_final_h() const { return layer_final_h_; }
  const Tensor& layer_final_c() const { return layer_final_c_; }

  // dmemory [S,N,2H], dfinal [N,2H] -> dx [S,N,input]; accumulates parameter gradients.
  void backward(const float* dmemory, const float* dfinal, float* dx);

 private:
  struct Layer {
    RnnLayer forward_dir, backward_dir;
    Dropout dropout;          // on this layer's input, for layers above the first
    Tensor input_rev;         // [S, N, input] each sentence reversed within its length
    Tensor y_fwd, y_bwd_rev;  // [S, N, H] left-to-right outputs; right-to-left ones, reversed
    Tensor out;               // [S, N, 2H] both directions in source order, zero at padding
    Tensor c_fwd, c_bwd;      // [N, H] final cell states (backward reads them)
    Tensor ws_fwd, ws_bwd;    // oneDNN workspaces of the two training forwards
  };
  RnnForward forward_call(size_t layer, bool right_to_left);
  void run_in_stretches(RnnLayer& direction, int64_t input, const float* x, float* y,
                        ComputeType compute, float* final_h, float* final_c);
  void run(int64_t S, int64_t N, const float* x, const int32_t* lengths, Rng* rng, bool training,
           ComputeType compute = ComputeType::f32);
  int64_t hidden_, S_ = 0, N_ = 0;
  const float* x_ = nullptr;      // [S, N, input] the forward's input, kept for backward
  std::vector<int32_t> lengths_;  // [N]
  std::vector<Layer> layers_;
  Tensor final_;  // [N, 2H]
  bool layer_final_states_;
  Cell cell_;
  Tensor layer_final_h_, layer_final_c_;  // [layers, N, 2H]
  Tensor carry_h_[2], carry_c_[2];        // [N, H] the states between stretches
  Tensor stretch_y_;                      // [S, N, H] their outputs beside a training forward
  std::vector<int32_t> stretch_ends_;     // the batch's distinct lengths, ascending
  Tensor d_out_;                          // [S, N, 2H] gradient into a layer's output
  Tensor d_fwd_, d_bwd_rev_;              // [S, N, H] split by direction (right-to-left reversed)
  Tensor dx_fwd_, dx_bwd_rev_;            // [S, N, input] the directions' input gradients
};

// out[t, n] = in[len_n - 1 - t, n] for t < len_n, zero after: reverses each sentence in place of
// its own length. Applying it twice gives back the input (with padding zeroed).
void reverse_within_length(int64_t S, int64_t N, int64_t C, const float* in, const int32_t* lengths,
                           float* out);

}  // namespace rnmt
