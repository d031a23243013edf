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
  TranslationOptions o;
  o.beam_size = r.translate.beam;
  o.length_penalty = r.translate.length_penalty;
  o.max_length_ratio = r.translate.max_length_ratio;
  o.sampling_topk = r.translate.sampling_topk;
  o.sampling_topp = r.translate.sampling_topp;
  o.sampling_temperature = r.translate.sampling_temperature;
  o.random_seed = static_cast<uint64_t>(r.translate.seed);
  o.min_decoding_length = r.translate.min_decoding_length;
  o.max_decoding_length = r.translate.max_decoding_length;
  o.repetition_penalty = r.translate.repetition_penalty;
  o.no_repeat_ngram_size = r.translate.no_repeat_ngram_size;
  o.word_penalty = r.translate.word_penalty;
  return o;
}

}  // namespace rnmt
