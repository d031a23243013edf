#include "translation/translate_text.hpp"

#include <algorithm>
#include <numeric>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "tokenizer/segmenter.hpp"

namespace rnmt {
namespace {

void check(const TranslationOptions& o) {
  if (o.beam_size < 1) throw Error("the beam size must be at least 1");
  if (o.num_hypotheses < 1 || o.num_hypotheses > o.beam_size) {
    throw Error("the number of hypotheses (" + std::to_string(o.num_hypotheses) +
                ") must be between 1 and the beam size (" + std::to_string(o.beam_size) + ")");
  }
  if (o.max_batch_size < 1) throw Error("the batch size must be at least 1");
  if (o.max_batch_tokens < 0) throw Error("the batch token limit must not be negative");
  if (!(o.max_length_ratio > 0)) throw Error("the maximum length ratio must be positive");
  if (o.threads < 0) throw Error("the thread count must not be negative");
}

TranslationHypothesis to_text(const Hypothesis& h, const Vocabulary& vocabulary) {
  TranslationHypothesis out;
  out.score = h.score;
  for (int32_t id : h.tokens) out.tokens.push_back(vocabulary.pieces[static_cast<size_t>(id)]);
  out.text = detokenize(join_tokens(out.tokens));
  for (size_t t = 0; t < h.alignment.size(); ++t)
    out.alignment.push_back({h.alignment[t], static_cast<int32_t>(t)});
  return out;
}

}  // namespace

std::vector<TranslationResult> translate_text(const TranslationModel& m,
                                              const std::vector<std::string>& lines,
                                              const TranslationOptions& o,
                                              const TranslationProgress& progress,
                                              int64_t first_line) {
  check(o);
  if (o.threads > 0) set_threads(o.threads);
  const int64_t total = static_cast<int64_t>(lines.size());
  std::vector<TranslationResult> results(lines.size());
  std::vector<Sentence> encoded(lines.size());
  const Vocabulary& source_vocabulary = m.source.model().vocabulary;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto& r = results[i];
    r.source_tokens = m.source.tokenize(lines[i], first_line + static_cast<int64_t>(i));
    if (static_cast<int64_t>(r.source_tokens.size()) > m.max_source_length) {
      r.source_tokens.resize(static_cast<size_t>(m.max_source_length));
      r.truncated = true;
    }
    for (const auto& piece : r.source_tokens) encoded[i].push_back(source_vocabulary.id(piece));
    if (encoded[i].empty()) r.hypotheses.emplace_back();  // an empty line translates to one
  }
  // Lines of similar length together, so that batches carry little padding.
  std::vector<size_t> order;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!encoded[i].empty()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return encoded[a].size() < encoded[b].size(); });
  int64_t done = total - static_cast<int64_t>(order.size());
  const SearchOptions search{.beam = o.beam_size,
                             .n_best = o.num_hypotheses,
                             .length_penalty = o.length_penalty,
                             .max_length_ratio = o.max_length_ratio,
                             .alignments = o.return_alignments};
  const Sentence no_target;
  const Vocabulary& target_vocabulary = m.target.model().vocabulary;
  std::vector<const Sentence*> sources, targets;
  for (size_t begin = 0; begin < order.size();) {
    // Sorted by length, the batch's padded size is its line count times the last line's length.
    size_t end = begin + 1;
    while (end < order.size() && static_cast<int64_t>(end - begin) < o.max_batch_size &&
           (o.max_batch_tokens == 0 ||
            static_cast<int64_t>((end - begin + 1) * encoded[order[end]].size()) <=
                o.max_batch_tokens)) {
      ++end;
    }
    sources.clear();
    targets.clear();
    for (size_t k = begin; k < end; ++k) {
      sources.push_back(&encoded[order[k]]);
      targets.push_back(&no_target);
    }
    const auto hypotheses = m.network.search(make_batch(sources, targets), search);
    for (size_t k = begin; k < end; ++k) {
      auto& r = results[order[k]];
      for (const auto& h : hypotheses[k - begin])
        r.hypotheses.push_back(to_text(h, target_vocabulary));
      if (r.hypotheses.empty()) r.hypotheses.emplace_back();
    }
    done += static_cast<int64_t>(end - begin);
    if (progress) progress(done, total);
    begin = end;
  }
  return results;
}

}  // namespace rnmt
