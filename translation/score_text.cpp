#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "decoding/score.hpp"
#include "translation/text_batches.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

std::vector<ScoringResult> score_text(const std::vector<TranslationModel>& workers,
                                      const std::vector<std::string>& sources,
                                      const std::vector<std::string>& targets,
                                      const TranslationOptions& o, int64_t first_line) {
  const ComputeType compute = checked_compute_type(o);
  if (workers.empty()) throw Error("score_text needs at least one worker");
  if (sources.size() != targets.size()) {
    throw Error("scoring needs one target per source: " + std::to_string(sources.size()) +
                " sources, " + std::to_string(targets.size()) + " targets");
  }
  const TranslationModel& m = workers.front();
  const Vocabulary& source_vocabulary = m.source.model().vocabulary;
  const Vocabulary& target_vocabulary = m.target.model().vocabulary;
  std::vector<ScoringResult> results(sources.size());
  std::vector<Sentence> encoded(sources.size()), target_ids(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    ScoringResult& r = results[i];
    const int64_t line = first_line + static_cast<int64_t>(i);
    for (const auto& piece : m.source.tokenize_prefix(
             sources[i], line, static_cast<size_t>(m.max_source_length), &r.truncated))
      encoded[i].push_back(source_vocabulary.id(piece));
    r.tokens = m.target.tokenize(targets[i], line);
    for (const auto& piece : r.tokens) target_ids[i].push_back(target_vocabulary.id(piece));
    if (encoded[i].empty()) r.log_probability = std::numeric_limits<double>::quiet_NaN();
  }
  const TextBatches plan = plan_batches(encoded, o.max_batch_size, o.max_batch_tokens);
  run_batches(
      workers, plan.batches.size(), translation_threads(o),
      [&](const TranslationModel& w, size_t b) {
        const auto [begin, end] = plan.batches[b];
        const Sentence no_target;
        std::vector<const Sentence*> batch_sources, batch_targets, scored;
        for (size_t k = begin; k < end; ++k) {
          batch_sources.push_back(&encoded[plan.order[k]]);
          batch_targets.push_back(&no_target);
          scored.push_back(&target_ids[plan.order[k]]);
        }
        auto scores =
            score_targets(w.network, make_batch(batch_sources, batch_targets), scored, compute);
        for (size_t k = begin; k < end; ++k) {
          ScoringResult& r = results[plan.order[k]];
          r.log_probability = scores[k - begin].log_probability;
          r.token_log_probabilities = std::move(scores[k - begin].token_log_probabilities);
        }
      },
      [](size_t) {});
  return results;
}

}  // namespace rnmt
