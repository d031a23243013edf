// The table of TranslationOptions' fields that the command line, recipes, the server and Python
// read (include/rnmt/translation_options.hpp).
#include "rnmt/translation_options.hpp"

namespace rnmt {

const std::vector<TranslationOptionField>& translation_option_fields() {
  using O = TranslationOptions;
  constexpr unsigned cli = kOptionCommandLine, recipe = kOptionRecipe, request = kOptionRequest,
                     scoring = kOptionScoring;
  static const std::vector<TranslationOptionField> fields = {
      {"beam_size", &O::beam_size, "beam size; 1 is greedy search", cli | recipe | request, "beam",
       1},
      {"num_hypotheses", &O::num_hypotheses,
       "hypotheses per line, best first (n-best; at most the beam size, or any number of samples)",
       cli | request, "n_best", 1},
      {"length_penalty", &O::length_penalty, "alpha in score = log p / length^alpha",
       cli | recipe | request, "", 0},
      {"length_includes_start", &O::length_includes_start,
       "the length in the length penalty also counts the start token <s> (OpenNMT-py's "
       "convention: models converted from it keep it by default)",
       cli | recipe | request},
      {"length_penalty_form", &O::length_penalty_form,
       "power (score = log p / length^alpha) or wu (GNMT's: log p / ((5 + length) / 6)^alpha, "
       "OpenNMT-py's -length_penalty wu)",
       cli | recipe | request},
      {"beam_style", &O::beam_style,
       "what beam search does with a finished hypothesis: narrowing (Marian's: the beam narrows "
       "by one) or opennmt_py (OpenNMT-py's: the next candidate takes its place, and a line ends "
       "once its best candidate was finished and beam-size hypotheses are; models converted from "
       "it keep it by default)",
       cli | recipe | request},
      {"disable_unk", &O::disable_unk,
       "never output <unk> (OpenNMT-py's -ban_unk_token): search passes over it, and the other "
       "pieces keep the model's log-probabilities",
       cli | recipe | request},
      {"max_length_ratio", &O::max_length_ratio,
       "outputs stop at ratio x source pieces + 10 pieces", cli | recipe | request, "", 0},
      {"min_decoding_length", &O::min_decoding_length, "no </s> before this many output pieces",
       cli | recipe | request, "", 0},
      {"max_decoding_length", &O::max_decoding_length,
       "at most this many output pieces (0: only the length ratio's limit)", cli | recipe | request,
       "", 0},
      {"repetition_penalty", &O::repetition_penalty,
       "divide the logits of pieces already output by P before each choice (above 1: fewer "
       "repetitions; 1: off)",
       cli | recipe | request, "", 0},
      {"no_repeat_ngram_size", &O::no_repeat_ngram_size,
       "never repeat an n-gram of this size in an output (0: off)", cli | recipe | request, "", 0},
      {"word_penalty", &O::word_penalty,
       "each output piece but </s> costs this much in the score (positive: shorter outputs)",
       cli | recipe | request},
      {"target_prefix", &O::target_prefix,
       "per input line, a prefix every output of the line starts with (the model continues it)",
       cli | request},
      {"return_alignments", &O::return_alignments, "each output piece's most attended source piece",
       cli | request, "alignments"},
      {"return_attention", &O::return_attention,
       "each output piece's attention weights over the source pieces (soft alignment)",
       cli | request},
      {"max_batch_size", &O::max_batch_size, "lines translated together (sorted by length)",
       cli | scoring, "batch_size", 1},
      {"max_batch_tokens", &O::max_batch_tokens,
       "when above 0: at most this many source pieces per batch, padding included", cli | scoring,
       "batch_tokens", 0},
      {"compute_type", &O::compute_type,
       "float32 (the trained model's arithmetic), bfloat16 (output layer and attention in bf16: "
       "faster on CPUs with AVX-512 BF16, slightly different results) or int8 (output layer and "
       "attention in int8, weights per row and inputs per call: any CPU with AVX2)",
       cli | request | scoring},
      {"use_shortlist", &O::use_shortlist,
       "score only the target pieces the model's lexical shortlist makes likely for each batch's "
       "source pieces (faster; the model file must hold one: docs/translating.md)",
       cli | recipe | request, "shortlist"},
      {"sampling_topk", &O::sampling_topk,
       "random sampling instead of search when not 1: draw each piece from the K most probable "
       "(0: from all)",
       cli | recipe | request, "", 0},
      {"sampling_topp", &O::sampling_topp,
       "sampling: draw only from the fewest most probable pieces whose probability reaches P",
       cli | recipe | request, "", 0},
      {"sampling_temperature", &O::sampling_temperature,
       "sampling: divide the logits by T (below 1: sharper; 0: the most probable piece)",
       cli | recipe | request, "", 0},
      {"random_seed", &O::random_seed,
       "sampling: a line's samples depend only on this seed and the line's number (0: a fresh "
       "seed for each call)",
       cli | recipe | request, "seed", 0},
      {"threads", &O::threads, "CPU threads (0: OpenMP's setting: OMP_NUM_THREADS or every core)",
       cli | scoring, "", 0},
  };
  return fields;
}

const TranslationOptionField* find_translation_option(const std::string& name) {
  for (const TranslationOptionField& f : translation_option_fields())
    if (name == f.name || (*f.alias && name == f.alias)) return &f;
  return nullptr;
}

bool operator==(const TranslationOptions& a, const TranslationOptions& b) {
  for (const TranslationOptionField& f : translation_option_fields()) {
    const bool same = std::visit([&](auto member) { return a.*member == b.*member; }, f.member);
    if (!same) return false;
  }
  return true;
}

}  // namespace rnmt
