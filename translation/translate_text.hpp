#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decoding/search.hpp"
#include "model/seq2seq.hpp"
#include "rnmt/translator.hpp"
#include "shortlist/shortlist.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

// One network a translating worker decodes with, and its source tokenizer.
struct TranslationMember {
  Seq2Seq& network;
  PieceTokenizer& source;
  int64_t max_source_length = 100;       // pieces; longer lines are truncated (result.truncated)
  double weight = 1.0;                   // in an ensemble: its log-probabilities' weight
  const Shortlist* shortlist = nullptr;  // the model file's, if it has one (use_shortlist)
};

// What translating needs: the network (or an ensemble's networks, which share the target
// vocabulary) and the tokenizers. Tokenizers keep a cache and networks keep buffers, so each
// translating thread needs its own of both.
struct TranslationModel {
  std::vector<TranslationMember> members;
  PieceTokenizer& target;  // tokenizes target prefixes and scored targets (its own cache)
};

// Raw lines -> results in input order: tokenize (the source tokenizer's UTF-8 policy applies),
// group lines of similar length into batches, search, detokenize. An empty line gives one empty
// hypothesis. Invalid options are an Error. Errors about a line (invalid UTF-8 under the `fail`
// policy) number lines from first_line.
//
// With several workers (each its own network and tokenizers over the same weights), batches are
// shared out among them, one thread each, and options.threads CPU threads are divided between
// them: small per-step matrices scale better across batches than within one (Marian's CPU
// workers do the same). The progress callback is called under a lock, from any of those threads.
std::vector<TranslationResult> translate_text(const std::vector<TranslationModel>& workers,
                                              const std::vector<std::string>& lines,
                                              const TranslationOptions& options,
                                              const TranslationProgress& progress = nullptr,
                                              int64_t first_line = 1);

// Forced decoding of raw pairs, batched and shared among the workers as translate_text does.
// Errors about a line number them from first_line.
std::vector<ScoringResult> score_text(const std::vector<TranslationModel>& workers,
                                      const std::vector<std::string>& sources,
                                      const std::vector<std::string>& targets,
                                      const TranslationOptions& options, int64_t first_line = 1);

// How many batches the lines make with these options (at most; empty lines need none): enough for
// the caller to know how many workers can be kept busy.
int64_t batch_count_bound(int64_t lines, const TranslationOptions& options);

// Checks the options (an Error says what is wrong) and parses their compute type.
ComputeType checked_compute_type(const TranslationOptions& options);
inline constexpr const char* kAlignmentsNeedAttention =
    "alignments need a model with attention; this one has none";
inline constexpr const char* kNoShortlist =
    "use_shortlist: the model file has no lexical shortlist (rnmt run learns one at export, "
    "export.shortlist in the recipe)";
// The search settings the public options describe.
SearchOptions search_options(const TranslationOptions& options, ComputeType compute);

// The CPU threads a call with these options uses: options.threads, or OpenMP's current setting.
int translation_threads(const TranslationOptions& options);

}  // namespace rnmt
