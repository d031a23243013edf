#pragma once
// How the decoder's initial state comes from the encoder, by name: what a recipe may name without
// including oneDNN.
#include "core/enum_names.hpp"

namespace rnmt {

// tanh: rnmt's trained bridge, h0_l = tanh(W_l·s + b_l) from the encoder's top layer. copy: each
// decoder layer starts from the same encoder layer's final states (hidden and cell), its two
// directions joined: OpenNMT-py's RNN models without -bridge. copy_relu: those states through
// OpenNMT-py's -bridge, a ReLU layer for the hidden states and one for the cell states, each
// applied to halves of a sentence's states of all layers laid end to end. rnmt translates with copy
// and copy_relu but does not train them. mean: h0_l = tanh(W_l·m + b_l) from m, the mean of the
// encoder's outputs over the sentence (Marian's and Nematus' s2s models), an LSTM's c0_l the same.
enum class BridgeType { tanh, copy, copy_relu, mean };
inline constexpr EnumName<BridgeType> kBridgeTypeNames[] = {{BridgeType::tanh, "tanh"},
                                                            {BridgeType::copy, "copy"},
                                                            {BridgeType::copy_relu, "copy_relu"},
                                                            {BridgeType::mean, "mean"}};

// Whether the bridge reads the encoder's per-layer final states (else its top layer's, or the mean
// of its outputs).
inline bool copies_states(BridgeType type) {
  return type == BridgeType::copy || type == BridgeType::copy_relu;
}

}  // namespace rnmt
