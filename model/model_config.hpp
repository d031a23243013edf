#pragma once
// What fixes the network's shape and regularisation: a plain struct (no oneDNN), which a recipe's
// model section is.
#include <cstdint>

#include "attention/attention_types.hpp"
#include "decoder/bridge_types.hpp"
#include "rnn/rnn_types.hpp"

namespace rnmt {

// Everything that fixes the network's shape and regularisation.
struct ModelConfig {
  int64_t src_vocab = 0;
  int64_t tgt_vocab = 0;
  int64_t embedding = 256;  // source and target embedding size
  int64_t encoder_layers = 1;
  int64_t encoder_hidden = 512;  // per direction
  Cell encoder_cell = Cell::lstm;
  bool source_eos = false;  // every source sentence ends with </s> (Marian's models)
  DecoderCell decoder_cell = DecoderCell::lstm;
  int64_t decoder_layers = 1;
  int64_t decoder_hidden = 512;
  bool input_feeding = false;            // Luong: previous attentional vector joins the next input
  BridgeType bridge = BridgeType::tanh;  // the decoder's initial state (decoder/bridge_types.hpp)
  AttentionType attention = AttentionType::general;
  AttentionOutput attention_output = AttentionOutput::tanh;
  double dropout = 0.0;          // embeddings, between layers, before the output layer
  bool tied_embeddings = false;  // output weights = target embeddings (needs hidden == embedding)
  float label_smoothing = 0.0f;
};

// The size of the vectors the output layer reads: the attentional vectors (the decoder's hidden
// size), or with a conditional decoder the deep output layer's (the embedding size).
inline int64_t output_input_size(const ModelConfig& c) {
  return is_conditional(c.decoder_cell) ? c.embedding : c.decoder_hidden;
}

}  // namespace rnmt
