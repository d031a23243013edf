#pragma once
// rnmt's application interface: load a model file written by `rnmt run`, translate raw text.
//
//   #include <rnmt/translator.hpp>
//   rnmt::Translator translator("model.rnmt");            // throws rnmt::Error
//   std::vector<std::string> out = translator.translate(lines);
//
// One Translator may be used from several threads at once.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rnmt/error.hpp"
#include "rnmt/translation_options.hpp"

namespace rnmt {

// Output token `target` attends most to source token `source` (positions in the tokens below).
struct AlignmentPoint {
  int32_t source = 0;
  int32_t target = 0;
};

struct TranslationHypothesis {
  std::string text;                       // raw text
  std::vector<std::string> tokens;        // the model's output pieces
  double score = 0;                       // log p / length^alpha (length counts </s>)
  std::vector<AlignmentPoint> alignment;  // when return_alignments
  // when return_attention: per output token, its weights over the source tokens (summing to 1)
  std::vector<std::vector<float>> attention;
};

struct TranslationResult {
  std::vector<TranslationHypothesis> hypotheses;  // best first; an empty line gives one, empty
  std::vector<std::string> source_tokens;         // the pieces the model read
  bool truncated = false;  // the line had more pieces than the model's maximum and was cut
};

// How probable the model finds a given translation (forced decoding): for reranking n-best lists
// and filtering parallel data.
struct ScoringResult {
  // log p(target pieces, </s> | source); NaN when the source has no pieces (an empty line).
  double log_probability = 0;
  std::vector<std::string> tokens;              // the target pieces scored
  std::vector<double> token_log_probabilities;  // one per piece, then one for </s>
  bool truncated = false;  // the source had more pieces than the model's maximum and was cut
};

// Called after each batch with the lines translated so far and the total.
using TranslationProgress = std::function<void(int64_t done, int64_t total)>;

class Translator {
 public:
  // Loads and checks the model file; an unreadable, corrupt or foreign file throws rnmt::Error.
  explicit Translator(const std::string& model_path);
  // An ensemble: the models decode together, each step combining their log-probabilities into
  // sum_k weights[k] · log p_k (Marian's weighted sum, not renormalised; empty weights: 1/M
  // each, OpenNMT-py's mean, so that scores stay on the scale of one model's). The models must
  // share the target tokenizer (else an Error naming both files); their source sides, sizes and
  // architectures may differ. The first model's recipe gives default_options() and its attention
  // the alignments.
  Translator(const std::vector<std::string>& model_paths, const std::vector<double>& weights);
  ~Translator();
  Translator(Translator&&) noexcept;
  Translator& operator=(Translator&&) noexcept;

  // The search settings the (first) model's recipe chose (its `translate` section).
  TranslationOptions default_options() const;
  // Longest source (in pieces) the model takes; longer lines are truncated.
  int64_t max_source_length() const;
  // Checks options as translate() and score() do, without translating anything: an Error saying
  // what is wrong (a beam of 0, an unknown compute type, bfloat16 on a CPU without it, alignments
  // from a model without attention, ...). A front end calls it before any line arrives.
  void validate(const TranslationOptions& options) const;
  // What these (valid) options will do differently from what they ask, on these models: e.g.
  // "int8: the GRU layers of 'm.rnmt' run in float32 (oneDNN 2.6 has no int8 linear-before-reset
  // GRU)". Empty when nothing. Front ends show them once.
  std::vector<std::string> notes(const TranslationOptions& options) const;

  // Raw text in, raw text out: one output per input line, in order, with default_options().
  std::vector<std::string> translate(const std::vector<std::string>& lines) const;
  // Errors about a line (invalid UTF-8 under the tokenizer's `fail` policy) number the lines from
  // first_line, so that a long input translated in pieces reports its own line numbers.
  std::vector<TranslationResult> translate(const std::vector<std::string>& lines,
                                           const TranslationOptions& options,
                                           const TranslationProgress& progress = nullptr,
                                           int64_t first_line = 1) const;

  // Scores targets[i] as the translation of sources[i] (raw text each; as many targets as
  // sources, else an Error). Uses the options' batch sizes, threads and compute type.
  std::vector<ScoringResult> score(const std::vector<std::string>& sources,
                                   const std::vector<std::string>& targets,
                                   const TranslationOptions& options = {},
                                   int64_t first_line = 1) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnmt
