#pragma once
// How the decoder's initial state comes from the encoder, by name: what a recipe may name without
// including oneDNN.
#include "core/enum_names.hpp"

namespace rnmt {

// tanh: rnmt's trained bridge, h0_l = tanh(W_l·s + b_l) from the encoder's top layer. copy: each
// decoder layer starts from the same encoder layer's final states (hidden and cell), its two
// directions joined: OpenNMT-py's RNN models without -bridge. rnmt translates with copy but does
// not train it.
enum class BridgeType { tanh, copy };
inline constexpr EnumName<BridgeType> kBridgeTypeNames[] = {{BridgeType::tanh, "tanh"},
                                                            {BridgeType::copy, "copy"}};

}  // namespace rnmt
