#include "translation/translate_text.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include <omp.h>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "decoding/search.hpp"
#include "tokenizer/segmenter.hpp"

namespace rnmt {
namespace {

// Checks the options and parses the compute type (the one name inside them).
ComputeType checked_compute_type(const TranslationOptions& o) {
  if (o.beam_size < 1) throw Error("the beam size must be at least 1");
  if (o.num_hypotheses < 1 || o.num_hypotheses > o.beam_size) {
    throw Error("the number of hypotheses (" + std::to_string(o.num_hypotheses) +
                ") must be between 1 and the beam size (" + std::to_string(o.beam_size) + ")");
  }
  if (o.max_batch_size < 1) throw Error("the batch size must be at least 1");
  if (o.max_batch_tokens < 0) throw Error("the batch token limit must not be negative");
  if (!(o.max_length_ratio > 0)) throw Error("the maximum length ratio must be positive");
  if (o.threads < 0) throw Error("the thread count must not be negative");
  return parse_enum(kComputeTypeNames, o.compute_type, "compute type");
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
  if (o.return_alignments && m.network.config().attention == AttentionType::none)
    throw Error("alignments need a model with attention; this one has none");
  const int64_t total = static_cast<int64_t>(lines.size());
  std::vector<TranslationResult> results(lines.size());
  std::vector<Sentence> encoded(lines.size());
  const Vocabulary& source_vocabulary = m.source.model().vocabulary;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto& r = results[i];
    r.source_tokens =
        m.source.tokenize_prefix(lines[i], first_line + static_cast<int64_t>(i),
                                 static_cast<size_t>(m.max_source_length), &r.truncated);
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
  std::vector<std::pair<size_t, size_t>> batches;  // [begin, end) in `order`
  for (size_t begin = 0; begin < order.size();) {
    // Sorted by length, the batch's padded size is its line count times the last line's length.
    size_t end = begin + 1;
    while (end < order.size() && static_cast<int64_t>(end - begin) < o.max_batch_size &&
           (o.max_batch_tokens == 0 ||
            static_cast<int64_t>((end - begin + 1) * encoded[order[end]].size()) <=
                o.max_batch_tokens)) {
      ++end;
    }
    batches.emplace_back(begin, end);
    begin = end;
  }
  // Longest batches first: the last batch a worker takes is then a short one.
  std::reverse(batches.begin(), batches.end());

  const SearchOptions search{.beam = o.beam_size,
                             .n_best = o.num_hypotheses,
                             .length_penalty = o.length_penalty,
                             .max_length_ratio = o.max_length_ratio,
                             .alignments = o.return_alignments,
                             .compute = compute};
  const Sentence no_target;
  const Vocabulary& target_vocabulary = m.target.model().vocabulary;
  const int threads = translation_threads(o);
  const auto used = static_cast<size_t>(
      std::max<int64_t>(1, std::min<int64_t>({static_cast<int64_t>(workers.size()),
                                              static_cast<int64_t>(batches.size()), threads})));
  std::atomic<size_t> next_batch{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mutex;
  int64_t done = total - static_cast<int64_t>(order.size());
  std::exception_ptr error;

  auto work = [&](const TranslationModel& w, int intra_threads) {
    try {
      set_threads(intra_threads);
      std::vector<const Sentence*> sources, targets;
      for (size_t b; !failed && (b = next_batch++) < batches.size();) {
        const auto [begin, end] = batches[b];
        sources.clear();
        targets.clear();
        for (size_t k = begin; k < end; ++k) {
          sources.push_back(&encoded[order[k]]);
          targets.push_back(&no_target);
        }
        const auto hypotheses = rnmt::search(w.network, make_batch(sources, targets), search);
        for (size_t k = begin; k < end; ++k) {
          auto& r = results[order[k]];
          for (const auto& h : hypotheses[k - begin])
            r.hypotheses.push_back(to_text(h, target_vocabulary));
          if (r.hypotheses.empty()) r.hypotheses.emplace_back();
        }
        std::lock_guard lock(progress_mutex);
        done += static_cast<int64_t>(end - begin);
        if (progress) progress(done, total);
      }
    } catch (...) {
      std::lock_guard lock(progress_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  if (used == 1) {
    work(m, threads);
  } else {
    // Threads split as evenly as they go; the calling thread is the first worker.
    const int count = static_cast<int>(used);
    const auto share = [&](int i) { return std::max(1, threads / count + (i < threads % count)); };
    std::vector<std::thread> helpers;
    for (int i = 1; i < count; ++i) helpers.emplace_back(work, std::cref(workers[i]), share(i));
    work(m, share(0));
    for (auto& t : helpers) t.join();
    set_threads(threads);
  }
  if (error) std::rethrow_exception(error);
  return results;
}

}  // namespace rnmt
