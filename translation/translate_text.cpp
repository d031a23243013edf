#include "translation/translate_text.hpp"

#include <algorithm>
#include <random>
#include <sstream>
#include <type_traits>
#include <variant>

#include <omp.h>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "decoding/search.hpp"
#include "tokenizer/segmenter.hpp"
#include "translation/source_batches.hpp"
#include "translation/text_batches.hpp"

namespace rnmt {

// Checks the options and parses the compute type (the one name inside them).
ComputeType checked_compute_type(const TranslationOptions& o) {
  if (o.beam_size < 1) throw Error("the beam size must be at least 1");
  const bool sampling = o.sampling_topk != 1;
  if (o.num_hypotheses < 1 || (!sampling && o.num_hypotheses > o.beam_size)) {
    throw Error("the number of hypotheses (" + std::to_string(o.num_hypotheses) +
                ") must be between 1 and the beam size (" + std::to_string(o.beam_size) + ")");
  }
  if (o.max_batch_size < 1) throw Error("the batch size must be at least 1");
  if (o.max_batch_tokens < 0) throw Error("the batch token limit must not be negative");
  if (!(o.max_length_ratio > 0)) throw Error("the maximum length ratio must be positive");
  if (o.threads < 0) throw Error("the thread count must not be negative");
  const ComputeType compute = parse_enum(kComputeTypeNames, o.compute_type, "compute type");
  check_search_options(search_options(o, compute));
  for (const TranslationOptionField& f : translation_option_fields()) {  // the table's ranges
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(o.*member)>>;
          if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
            if (static_cast<double>(o.*member) < f.min) {
              std::ostringstream message;
              message << "option " << f.name << " must be at least " << f.min << ", not "
                      << o.*member;
              throw Error(message.str());
            }
          }
        },
        f.member);
  }
  return compute;
}

SearchOptions search_options(const TranslationOptions& o, ComputeType compute) {
  return {.beam = o.beam_size,
          .n_best = o.num_hypotheses,
          .beam_style = parse_enum(kBeamStyleNames, o.beam_style, "beam style"),
          .length_penalty = o.length_penalty,
          .length_includes_start = o.length_includes_start,
          .length_penalty_form =
              parse_enum(kLengthPenaltyFormNames, o.length_penalty_form, "length penalty form"),
          .max_length_ratio = o.max_length_ratio,
          .alignments = o.return_alignments,
          .attention = o.return_attention,
          .compute = compute,
          .sampling_topk = o.sampling_topk,
          .sampling_topp = o.sampling_topp,
          .sampling_temperature = o.sampling_temperature,
          .min_length = o.min_decoding_length,
          .max_length = o.max_decoding_length,
          .repetition_penalty = o.repetition_penalty,
          .no_repeat_ngram_size = o.no_repeat_ngram_size,
          .disable_unk = o.disable_unk,
          .word_penalty = o.word_penalty};
}

namespace {

TranslationHypothesis to_text(const Hypothesis& h, const PieceTokenizer& target) {
  TranslationHypothesis out;
  out.score = h.score;
  const Vocabulary& vocabulary = target.model().vocabulary;
  for (int32_t id : h.tokens) out.tokens.push_back(vocabulary.pieces[static_cast<size_t>(id)]);
  out.text = target.detokenize(out.tokens);
  for (size_t t = 0; t < h.alignment.size(); ++t)
    out.alignment.push_back({h.alignment[t], static_cast<int32_t>(t)});
  out.attention = h.attention;
  return out;
}

}  // namespace

int translation_threads(const TranslationOptions& o) {
  return o.threads > 0 ? o.threads : omp_get_max_threads();
}

int64_t batch_count_bound(int64_t lines, const TranslationOptions& o) {
  if (o.max_batch_tokens > 0 || o.max_batch_size < 1) return lines;
  return (lines + o.max_batch_size - 1) / o.max_batch_size;
}

std::vector<TranslationResult> translate_text(const std::vector<TranslationModel>& workers,
                                              const std::vector<std::string>& lines,
                                              const TranslationOptions& o,
                                              const TranslationProgress& progress,
                                              int64_t first_line) {
  const ComputeType compute = checked_compute_type(o);
  if (workers.empty()) throw Error("translate_text needs at least one worker");
  const TranslationModel& m = workers.front();
  if ((o.return_alignments || o.return_attention) &&
      m.members.front().network.config().attention == AttentionType::none)
    throw Error(kAlignmentsNeedAttention);
  if (o.use_shortlist) {
    for (const TranslationMember& member : m.members)
      if (!member.shortlist) throw Error(kNoShortlist);
  }
  if (!o.target_prefix.empty() && o.target_prefix.size() != lines.size()) {
    throw Error("target prefixes: one per line (" + std::to_string(lines.size()) + " lines, " +
                std::to_string(o.target_prefix.size()) + " prefixes)");
  }
  const int64_t total = static_cast<int64_t>(lines.size());
  std::vector<TranslationResult> results(lines.size());
  std::vector<Sentence> prefixes;
  if (!o.target_prefix.empty()) {
    const Vocabulary& vocabulary = m.target.model().vocabulary;
    for (size_t i = 0; i < lines.size(); ++i) {
      Sentence& ids = prefixes.emplace_back();
      for (const auto& piece :
           m.target.tokenize(o.target_prefix[i], first_line + static_cast<int64_t>(i)))
        ids.push_back(vocabulary.id(piece));
    }
  }
  EncodedSources encoded = encode_sources(m, lines, first_line);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto& r = results[i];
    r.source_tokens = std::move(encoded.pieces[i]);
    r.truncated = encoded.truncated[i] != 0;
    if (encoded.ids.front()[i].empty()) r.hypotheses.emplace_back();  // empty: one, empty
  }
  // Lines of similar length together, so that batches carry little padding.
  const TextBatches plan = plan_batches(encoded.ids.front(), o.max_batch_size, o.max_batch_tokens);
  const SearchOptions search = search_options(o, compute);
  // A line's samples depend on the seed and its line number alone.
  const uint64_t seed = o.random_seed != 0 ? o.random_seed : std::random_device{}();
  int64_t done = total - static_cast<int64_t>(plan.order.size());
  run_batches(
      workers, plan.batches.size(), translation_threads(o),
      [&](const TranslationModel& w, size_t b) {
        const auto [begin, end] = plan.batches[b];
        SearchOptions batch_search = search;
        if (!prefixes.empty()) {
          for (size_t k = begin; k < end; ++k)
            batch_search.target_prefixes.push_back(prefixes[plan.order[k]]);
        }
        if (search.sampling_topk != 1) {
          for (size_t k = begin; k < end; ++k)
            batch_search.sentence_seeds.push_back(
                seed ^ static_cast<uint64_t>(first_line + static_cast<int64_t>(plan.order[k])) *
                           0x9e3779b97f4a7c15ull);
        }
        const std::vector<Batch> batches = source_batches(encoded, plan.order, begin, end);
        Ensemble networks = ensemble_of(w, batches);
        if (o.use_shortlist) {
          std::vector<ShortlistedBatch> lists;
          for (size_t k = 0; k < batches.size(); ++k)
            lists.push_back({w.members[k].shortlist, &batches[k]});
          std::vector<int32_t> prefix_pieces;
          for (const Sentence& prefix : batch_search.target_prefixes)
            prefix_pieces.insert(prefix_pieces.end(), prefix.begin(), prefix.end());
          networks.restrict_output(shortlist_vocabulary(lists, prefix_pieces));
        }
        const auto hypotheses = rnmt::search(networks, batch_search);
        for (size_t k = begin; k < end; ++k) {
          auto& r = results[plan.order[k]];
          for (const auto& h : hypotheses[k - begin]) r.hypotheses.push_back(to_text(h, m.target));
          if (r.hypotheses.empty()) r.hypotheses.emplace_back();
        }
      },
      [&](size_t b) {
        done += static_cast<int64_t>(plan.batches[b].second - plan.batches[b].first);
        if (progress) progress(done, total);
      });
  return results;
}

}  // namespace rnmt
