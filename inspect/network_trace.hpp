#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "inspect/gate_activity.hpp"
#include "model/batch.hpp"
#include "model/seq2seq.hpp"

namespace rnmt {

enum class LayerRole { encoder_left_to_right, encoder_right_to_left, decoder };
inline constexpr EnumName<LayerRole> kLayerRoleNames[] = {
    {LayerRole::encoder_left_to_right, "encoder left-to-right"},
    {LayerRole::encoder_right_to_left, "encoder right-to-left"},
    {LayerRole::decoder, "decoder"}};

// The names of a cell's gates in GateActivity's order.
std::vector<std::string> gate_names(Cell cell);

// Everything the recurrent layers did on one batch, teacher forced on its target side without
// dropout (the states search reaches when the target is its own output).
struct NetworkTrace {
  struct Layer {
    LayerRole role;
    int64_t depth;  // 0 = the layer nearest the embeddings
    Cell cell;
    LayerSequence sequence;
    GateActivity gates;
    StateGradients gradients;  // empty without a backward
  };
  int64_t N = 0, S = 0, T = 0;
  std::vector<int32_t> src_lengths, tgt_lengths;  // [N] (targets including </s>)
  std::vector<Layer> layers;     // encoder layers bottom-up (both directions), then decoder
  std::vector<float> attention;  // [T, N, S]; empty without attention
  double loss = 0;               // summed over the batch's target tokens
  // With gradients: every parameter's norms and its gradient's, before the gradients were zeroed.
  struct ParameterNorms {
    std::string name;
    double weight = 0, gradient = 0;
  };
  std::vector<ParameterNorms> parameters;
  double gradient_norm = 0;  // of all parameters together (what clipping compares)
};

// Runs the network forward on the batch (and, with gradients, backward of the mean token loss)
// while recording every recurrent layer. The parameters' gradients are zeroed afterwards, so a
// trainer's next step is unaffected; no dropout randomness is drawn. with_gradients needs a
// trainable network.
NetworkTrace trace_network(Seq2Seq& network, const Batch& batch, bool with_gradients);

// One sentence's view of one layer: its own positions only, in sentence order (the right-to-left
// encoder direction's steps reversed back to source positions).
struct SentenceLayerTrace {
  LayerRole role;
  int64_t depth;
  Cell cell;
  int64_t steps = 0, H = 0;
  std::vector<std::vector<float>> gates;  // [G][steps, H]
  std::vector<float> cell_state;          // [steps, H] LSTM only
  std::vector<float> hidden;              // [steps, H]
  std::vector<float> hidden_norm;         // [steps] ||h_t||
  std::vector<float> gradient_norm;       // [steps] ||dL/dh_t||; empty without gradients
};
SentenceLayerTrace sentence_trace(const NetworkTrace& trace, size_t layer, int64_t n);

// Gate saturation: the fraction of a gate's values within 0.05 of the ends of its range (sigmoid
// gates: below 0.05 or above 0.95; the tanh candidate: below -0.95 or above 0.95).
double saturation(const std::vector<float>& values, bool tanh_gate);
// Whether gate g of a cell is the tanh candidate (the others are sigmoids).
bool is_tanh_gate(Cell cell, size_t g);

}  // namespace rnmt
