#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "decoding/score.hpp"
#include "translation/source_batches.hpp"
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
  const Vocabulary& target_vocabulary = m.target.model().vocabulary;
  std::vector<ScoringResult> results(sources.size());
  const EncodedSources encoded = encode_sources(m, sources, first_line);
  std::vector<Sentence> target_ids(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    ScoringResult& r = results[i];
    r.truncated = encoded.truncated[i] != 0;
    r.tokens = m.target.tokenize(targets[i], first_line + static_cast<int64_t>(i));
    for (const auto& piece : r.tokens) target_ids[i].push_back(target_vocabulary.id(piece));
    if (encoded.ids.front()[i].empty())
      r.log_probability = std::numeric_limits<double>::quiet_NaN();
  }
  const TextBatches plan = plan_batches(encoded.ids.front(), o.max_batch_size, o.max_batch_tokens);
  run_batches(
      workers, plan.batches.size(), translation_threads(o),
      [&](const TranslationModel& w, size_t b) {
        const auto [begin, end] = plan.batches[b];
        std::vector<const Sentence*> scored;
        for (size_t k = begin; k < end; ++k) scored.push_back(&target_ids[plan.order[k]]);
        const std::vector<Batch> batches = source_batches(encoded, plan.order, begin, end);
        Ensemble networks = ensemble_of(w, batches);
        auto scores = score_targets(networks, scored, compute);
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
