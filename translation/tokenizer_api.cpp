// rnmt::Tokenizer (rnmt/tokenizer.hpp): the public face of the tokenizer folder's PieceTokenizer.
#include <fstream>
#include <unordered_map>

#include "core/files.hpp"
#include "core/rng.hpp"
#include "model_file/model_file.hpp"
#include "rnmt/tokenizer.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

struct Tokenizer::Impl {
  PieceTokenizer tokenizer;
  float dropout = 0;
  Rng rng{1};
};

namespace {

TokenizerOptions text_options(const TextOptions& o) {
  TokenizerOptions out;
  out.normalization = parse_normalization(o.normalization);
  out.invalid_utf8 = parse_invalid_utf8(o.invalid_utf8);
  out.split_digits = o.split_digits;
  out.lowercase = o.lowercase;
  return out;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Tokenizer::Tokenizer(const std::string& path)
    : impl_(std::make_unique<Impl>(Impl{PieceTokenizer(load_tokenizer(path))})) {}

Tokenizer::Tokenizer(const TextOptions& options) {
  TokenizerModel model;
  model.options = text_options(options);
  impl_ = std::make_unique<Impl>(Impl{PieceTokenizer(std::move(model))});
}

Tokenizer Tokenizer::from_model(const std::string& model_path, ModelSide side) {
  ModelTokenizers tokenizers = load_model_tokenizers(model_path);  // no network built
  PieceTokenizer& chosen = side == ModelSide::source ? *tokenizers.src : *tokenizers.tgt;
  return Tokenizer(std::make_unique<Impl>(Impl{std::move(chosen)}));
}

Tokenizer Tokenizer::learn_bpe(const std::vector<std::string>& text_files, const TextOptions& text,
                               const BpeLearning& learning, BpeLearningStats* stats,
                               const BpeLearningProgress& progress) {
  if (learning.merges < 0) throw Error("the number of merges must not be negative");
  TokenizerModel model;
  model.options = text_options(text);
  TokenizerModel whole_tokens;  // no BPE: counts whole tokens
  whole_tokens.options = model.options;
  PieceTokenizer plain(std::move(whole_tokens));
  std::unordered_map<std::string, int64_t> words;
  BpeLearningStats seen;
  for (const auto& path : text_files) {
    std::ifstream in = open_input_file(path);
    std::string line;
    int64_t line_number = 0;
    while (read_text_line(in, line)) {
      for (auto& token : plain.tokenize(line, ++line_number, &seen.replaced)) {
        ++words[token];
        ++seen.tokens;
      }
      if (++seen.lines % 100000 == 0 && progress) progress("read", seen.lines);
    }
  }
  seen.distinct_tokens = static_cast<int64_t>(words.size());
  train_bpe(model, words,
            {.merges = learning.merges,
             .min_frequency = learning.min_frequency,
             .vocab_threshold = learning.vocab_threshold},
            [&](int64_t done) {
              if (progress) progress("merge", done);
            });
  if (stats) *stats = seen;
  return Tokenizer(std::make_unique<Impl>(Impl{PieceTokenizer(std::move(model))}));
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

void Tokenizer::save(const std::string& path) const {
  save_tokenizer(impl_->tokenizer.model(), path);
}

void Tokenizer::set_dropout(float probability, uint64_t seed) {
  if (!(probability >= 0 && probability < 1))
    throw Error("the BPE-dropout probability must be in [0, 1)");
  impl_->dropout = probability;
  impl_->rng.reseed(seed);
}

std::vector<std::string> Tokenizer::tokenize(std::string_view line, int64_t line_number,
                                             int64_t* replaced) {
  return impl_->tokenizer.tokenize(line, line_number, replaced, impl_->dropout, &impl_->rng);
}

std::string Tokenizer::detokenize(const std::vector<std::string>& pieces) {
  return rnmt::detokenize(join_tokens(pieces));
}

std::string Tokenizer::decode(const std::vector<std::string>& pieces) const {
  return impl_->tokenizer.detokenize(pieces);
}

std::string Tokenizer::detokenize_line(std::string_view pieces) {
  return rnmt::detokenize(pieces);
}

const std::vector<std::string>& Tokenizer::vocabulary() const {
  return impl_->tokenizer.model().vocabulary.pieces;
}

int64_t Tokenizer::merges() const {
  return static_cast<int64_t>(impl_->tokenizer.model().merges.size());
}

}  // namespace rnmt
