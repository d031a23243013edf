#include "recipe/model_config.hpp"

namespace rnmt {

ModelConfig model_config(const Recipe& r, int64_t src_vocab, int64_t tgt_vocab) {
  ModelConfig c = r.model;  // the network's part of the model section
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.label_smoothing = static_cast<float>(r.training.label_smoothing);
  return c;
}

TranslationOptions translation_options(const Recipe& r) {
  return r.translate;
}

}  // namespace rnmt
