#pragma once
#include <string>

#include "core/archive.hpp"
#include "core/params.hpp"

namespace rnmt {

// A network's weights in int8 (`rnmt quantize`): about a quarter of the float32 section. Each
// matrix is stored as s8 with float32 scales in the grouping rnmt's int8 inference quantises it
// in, so that int8 translation of the quantised file computes with exactly the values it would
// quantise the float32 weights to:
//   - embedding tables, Linear and output weights [rows, columns]: one scale per row;
//   - an LSTM or GRU layer's input and recurrent weights [in, gates, hidden]: one scale per
//     (gate, hidden unit), shared by the pair (oneDNN's int8 RNN scales them so);
//   - biases and vectors: float32 as they are.
// Loading gives the network the dequantised values (q · scale), so float32 translation of the
// file computes with weights within half a step of the originals.
inline constexpr const char* kQuantizedWeightsSection = "params_int8";

std::string quantized_weight_bytes(const ParamSet& params);
// The float count the section holds weights for (ParamSet::planned_total of its network), read
// before anything is allocated for it; an Error naming `what` when the section is too short.
size_t quantized_weight_count(const std::string& bytes, const std::string& what);
// Dequantises the section into params; an Error naming `what` when it does not fit them.
void set_quantized_weights(ParamSet& params, const std::string& bytes, const std::string& what);

}  // namespace rnmt
