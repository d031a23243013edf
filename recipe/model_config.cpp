#include "recipe/model_config.hpp"

namespace rnmt {

ModelConfig model_config(const Recipe& r, int64_t src_vocab, int64_t tgt_vocab) {
  ModelConfig c;
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.embedding = r.model.embedding;
  c.encoder_layers = r.model.encoder_layers;
  c.encoder_hidden = r.model.encoder_hidden;
  c.decoder_cell = r.model.decoder_cell;
  c.decoder_layers = r.model.decoder_layers;
  c.decoder_hidden = r.model.decoder_hidden;
  c.input_feeding = r.model.input_feeding;
  c.attention = r.model.attention;
  c.dropout = static_cast<float>(r.model.dropout);
  c.tied_embeddings = r.model.tied_embeddings;
  c.label_smoothing = static_cast<float>(r.training.label_smoothing);
  return c;
}

TranslationOptions translation_options(const Recipe& r) {
  return r.translate;
}

}  // namespace rnmt
