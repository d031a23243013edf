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

namespace rnmt {

struct TranslationOptions {
  int64_t beam_size = 5;            // 1: greedy search
  int64_t num_hypotheses = 1;       // n-best: hypotheses per line, 1 .. beam_size (or samples)
  double length_penalty = 0.6;      // alpha: hypotheses are ranked by log p / length^alpha
  double max_length_ratio = 2.0;    // at most ceil(ratio · source tokens) + 10 output tokens
  int64_t min_decoding_length = 0;  // no </s> before this many output tokens
  int64_t max_decoding_length = 0;  // at most this many output tokens (0: only the ratio's limit)
  // Before each choice, the logit z of a token the hypothesis holds becomes z / penalty (z > 0) or
  // z · penalty (CTranslate2's); tokens that would repeat an n-gram of this size are ruled out.
  double repetition_penalty = 1.0;   // 1: off
  int64_t no_repeat_ngram_size = 0;  // 0: off
  // Marian's: each output token but </s> costs this much in the score (greedy and beam search;
  // positive: shorter outputs).
  double word_penalty = 0.0;
  // Per input line (raw text), or empty: every output of line i starts with target_prefix[i]'s
  // pieces and continues with the model's best continuation under them (interactive translation,
  // autocompletion). Their log-probabilities count in the scores.
  std::vector<std::string> target_prefix;
  bool return_alignments = false;  // each output token's most attended source token
  bool return_attention = false;   // each output token's attention weights (soft alignment)
  int64_t max_batch_size = 32;     // lines translated together (sorted by length)
  int64_t max_batch_tokens = 0;    // when > 0: batches hold at most this many source tokens instead
  // "float32": exactly the trained model's arithmetic. "bfloat16": the output layer and attention
  // multiply in bf16 (f32 accumulation), about 1.4x faster where the CPU has AVX-512 BF16 or AMX,
  // with slightly different results.
  std::string compute_type = "float32";
  // Random sampling instead of search (CTranslate2's names), when sampling_topk != 1: each token
  // is drawn from the model's distribution at sampling_temperature (0: the most probable), among
  // the sampling_topk most probable tokens (0: all), then among the fewest most probable ones
  // whose probability reaches sampling_topp. num_hypotheses gives that many independent samples
  // per line (beam_size must be 1). A line's samples depend only on random_seed and the line's
  // number, not on batching or threads; random_seed 0 draws a fresh seed for each call.
  int64_t sampling_topk = 1;
  double sampling_topp = 1.0;
  double sampling_temperature = 1.0;
  uint64_t random_seed = 0;
  // CPU threads for this call (0: OpenMP's current setting). With several threads and several
  // batches, batches are translated side by side, one thread each, on networks that share one
  // copy of the weights.
  int threads = 0;
};

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
