#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/seq2seq.hpp"
#include "rnmt/translator.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

// What translating needs: the network and its tokenizers. The source tokenizer keeps a cache and
// the network keeps buffers, so each translating thread needs its own of both.
struct TranslationModel {
  Seq2Seq& network;
  Tokenizer& source;
  const Tokenizer& target;
  int64_t max_source_length = 100;  // pieces; longer lines are truncated (result.truncated)
};

// Raw lines -> results in input order: tokenize (the source tokenizer's UTF-8 policy applies),
// group lines of similar length into batches, search, detokenize. An empty line gives one empty
// hypothesis. Invalid options are an Error. Errors about a line (invalid UTF-8 under the `fail`
// policy) number lines from first_line.
std::vector<TranslationResult> translate_text(const TranslationModel& model,
                                              const std::vector<std::string>& lines,
                                              const TranslationOptions& options,
                                              const TranslationProgress& progress = nullptr,
                                              int64_t first_line = 1);

}  // namespace rnmt
