#pragma once
// How rnmt translates: the search settings, and the one table of their fields that every front end
// reads (the command line's flags, a recipe's `translate` keys, the server's JSON options, Python's
// keyword arguments), so that an option added here reaches all of them.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rnmt {

struct TranslationOptions {
  int64_t beam_size = 5;        // 1: greedy search
  int64_t num_hypotheses = 1;   // n-best: hypotheses per line, 1 .. beam_size (or samples)
  double length_penalty = 0.6;  // alpha: hypotheses are ranked by log p / length^alpha
  // The length above also counts the start token <s> (OpenNMT-py 3's convention, which models
  // converted from it keep by default).
  bool length_includes_start = false;
  // "power": log p / length^alpha, as above; "wu": log p / ((5 + length) / 6)^alpha (GNMT's length
  // penalty, OpenNMT-py's -length_penalty wu).
  std::string length_penalty_form = "power";
  // What beam search does with a finished hypothesis: "narrowing" (Marian's: the beam narrows by
  // one; a line ends when none is left) or "opennmt_py" (OpenNMT-py's: the next candidate takes
  // its place; a line ends once its best candidate was finished and beam_size hypotheses are).
  std::string beam_style = "narrowing";
  double max_length_ratio = 2.0;    // at most ceil(ratio · source tokens) + 10 output tokens
  int64_t min_decoding_length = 0;  // no </s> before this many output tokens
  int64_t max_decoding_length = 0;  // at most this many output tokens (0: only the ratio's limit)
  // Before each choice, the logit z of a token the hypothesis holds becomes z / penalty (z > 0) or
  // z · penalty (CTranslate2's); tokens that would repeat an n-gram of this size are ruled out.
  double repetition_penalty = 1.0;   // 1: off
  int64_t no_repeat_ngram_size = 0;  // 0: off
  // Never output <unk> (CTranslate2's disable_unk; OpenNMT-py's -ban_unk_token; Marian's default):
  // search passes over it, and the other tokens keep the model's log-probabilities.
  bool disable_unk = false;
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
  // with slightly different results. "int8": the output layer and attention multiply in int8
  // (weights quantised per output row, inputs per call, s32 accumulation; any CPU with AVX2), with
  // slightly different results.
  std::string compute_type = "float32";
  // Search with the model's lexical shortlist (Marian's --shortlist): each batch's output layer
  // scores only the target pieces likely for its source pieces (learned from the training data,
  // stored in the model file), plus the most frequent ones. Faster; translations may differ where
  // the best piece is not on the list. An Error for a model without one. Scoring ignores it.
  bool use_shortlist = false;
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

// Where an option may be set besides the C++ API and Python (which take every option).
enum OptionUse : unsigned {
  kOptionCommandLine = 1u << 0,  // rnmt translate --name-with-dashes
  kOptionRecipe = 1u << 1,       // a recipe's `translate.name` (the model's default)
  kOptionRequest = 1u << 2,      // a server client's "options" (else the server's to set)
  kOptionScoring = 1u << 3,      // score() and rnmt score read it
};

// One field of TranslationOptions: its name in every front end, its type (by the member it binds),
// its help and its range.
struct TranslationOptionField {
  using O = TranslationOptions;
  using Member = std::variant<int64_t O::*, double O::*, bool O::*, std::string O::*,
                              std::vector<std::string> O::*, uint64_t O::*, int O::*>;
  // The API's name: the C++ field, Python's keyword, the server's JSON field, the recipe key
  // `translate.NAME` and the command line's --NAME (underscores as dashes).
  const char* name;
  Member member;
  const char* help;
  unsigned use;  // OptionUse bits
  // An older name still accepted on the command line and in recipes ("" : none).
  const char* alias = "";
  double min = -1e300;  // numbers: the smallest value allowed
};

// Every field of TranslationOptions, in the struct's order.
const std::vector<TranslationOptionField>& translation_option_fields();

// The field named `name` (or its alias), or nullptr.
const TranslationOptionField* find_translation_option(const std::string& name);

// Field by field, over the table.
bool operator==(const TranslationOptions& a, const TranslationOptions& b);
inline bool operator!=(const TranslationOptions& a, const TranslationOptions& b) {
  return !(a == b);
}

}  // namespace rnmt
