#pragma once
#include <cstdint>
#include <vector>

#include "core/enum_names.hpp"
#include "core/packed_matmul.hpp"
#include "decoding/ensemble.hpp"
#include "model/batch.hpp"
#include "model/seq2seq.hpp"

namespace rnmt {

// How beam search treats a finished hypothesis. narrowing (Marian's): the beam narrows by one, and
// a sentence ends when its beam is empty. opennmt_py (OpenNMT-py's): the beam stays K wide (the
// next best candidate takes the finished one's place), and a sentence ends once its best candidate
// at some step was finished and it has K finished hypotheses; the n best of all of them are kept.
enum class BeamStyle { narrowing, opennmt_py };
inline constexpr EnumName<BeamStyle> kBeamStyleNames[] = {{BeamStyle::narrowing, "narrowing"},
                                                          {BeamStyle::opennmt_py, "opennmt_py"}};

// How a hypothesis' length discounts its log-probability: power (Marian's, CTranslate2's and
// OpenNMT-py's "avg"): log p / length^alpha; wu (GNMT's, OpenNMT-py's "wu"):
// log p / ((5 + length) / 6)^alpha.
enum class LengthPenaltyForm { power, wu };
inline constexpr EnumName<LengthPenaltyForm> kLengthPenaltyFormNames[] = {
    {LengthPenaltyForm::power, "power"}, {LengthPenaltyForm::wu, "wu"}};

// How a batch is decoded: greedy (beam 1), beam search, or random sampling (sampling_topk != 1).
struct SearchOptions {
  int64_t beam = 1;
  int64_t n_best = 1;  // hypotheses returned per sentence, 1 .. beam (samples: any)
  BeamStyle beam_style = BeamStyle::narrowing;
  double length_penalty = 1.0;         // alpha: a finished hypothesis scores log p / length^alpha
  bool length_includes_start = false;  // that length also counts <s> (OpenNMT-py's)
  LengthPenaltyForm length_penalty_form = LengthPenaltyForm::power;
  double max_length_ratio = 2.0;  // at most ceil(ratio · source length) + 10 output tokens
  bool alignments = false;        // record each output token's most attended source position
  bool attention = false;         // record each output token's attention weights (soft alignment)
  // The output layer's and attention's products in f32 or bf16 (the recurrent steps stay f32).
  ComputeType compute = ComputeType::f32;
  // Random sampling (CTranslate2's options): each next token is drawn from the model's
  // distribution at `sampling_temperature` (0: the most probable), restricted to the
  // sampling_topk most probable tokens (0: all) and then to the smallest set of them whose
  // probability reaches sampling_topp. n_best hypotheses are independent samples.
  int64_t sampling_topk = 1;  // 1: no sampling
  double sampling_topp = 1.0;
  double sampling_temperature = 1.0;
  // One seed per batch sentence: its samples depend on it alone, not on batching or threads.
  std::vector<uint64_t> sentence_seeds = {};  // empty: sentence n's seed is n
  // Length controls (CTranslate2's): no </s> before min_length tokens; at most max_length tokens
  // (0: only the ratio's limit).
  int64_t min_length = 0, max_length = 0;
  // Logit processors (CTranslate2's): before each step's choice, the logit z of every token the
  // hypothesis already holds becomes z / penalty (z > 0) or z · penalty (z <= 0), and tokens that
  // would repeat an n-gram of the hypothesis are ruled out. Scores are then those of the processed
  // distribution.
  double repetition_penalty = 1.0;   // 1: off
  int64_t no_repeat_ngram_size = 0;  // 0: off
  // Never output <unk> (OpenNMT-py's -ban_unk_token, Marian's default): it is passed over, and the
  // other tokens keep the model's log-probabilities (not renormalised without it).
  bool disable_unk = false;
  // Marian's word penalty (greedy and beam search): each output token but </s> costs this much in
  // the score that ranks hypotheses (positive: shorter outputs); log_probability leaves it out.
  double word_penalty = 0.0;
  // Per batch sentence (or empty): tokens every output starts with (interactive translation,
  // autocompletion); search continues from them. Their log-probabilities count in the scores.
  std::vector<Sentence> target_prefixes = {};
};

struct Hypothesis {
  Sentence tokens;   // without </s>
  double score = 0;  // log_probability / length^alpha, length counting </s>
  double log_probability = 0;
  std::vector<int32_t> alignment;  // per token: argmax of its attention weights (if asked for)
  // per token: its attention weights over the sentence's source tokens (if asked for)
  std::vector<std::vector<float>> attention;
};

// Decodes the batch's source side (its target side is ignored) with the strategy the options
// name: sample_search when sampling_topk != 1, else greedy_search for beam 1 and beam_search.
// Returns each sentence's n_best finished hypotheses, best first. Invalid options are an Error.
//
// Every strategy drives the networks only through Ensemble::start, step and select (in turn
// Seq2Seq::start, Seq2Seq::step and DecoderState::select): all live hypotheses of all sentences
// advance together, one step per output position, and a sentence leaves the batch once it is
// done. At its length limit a sentence's live hypotheses finish as they stand.
std::vector<std::vector<Hypothesis>> search(Ensemble& models, const SearchOptions& options);
// One network.
std::vector<std::vector<Hypothesis>> search(Seq2Seq& model, const Batch& batch,
                                            const SearchOptions& options);

// An Error saying what is wrong with the options, if anything.
void check_search_options(const SearchOptions& options);

// The best hypothesis' tokens of search(), greedy and with a beam (tests and tools).
std::vector<Sentence> greedy_tokens(Seq2Seq& model, const Batch& batch, double max_length_ratio);
std::vector<Sentence> beam_tokens(Seq2Seq& model, const Batch& batch, int64_t beam, double alpha,
                                  double max_length_ratio);

}  // namespace rnmt
