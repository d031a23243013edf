#include "decoding/score.hpp"

#include "core/error.hpp"
#include "decoding/search_steps.hpp"
#include "model/decoder_state.hpp"

namespace rnmt {

std::vector<TargetScore> score_targets(Seq2Seq& model, const Batch& b,
                                       const std::vector<const Sentence*>& targets,
                                       ComputeType compute) {
  Ensemble alone(model, b);
  return score_targets(alone, targets, compute);
}

std::vector<TargetScore> score_targets(Ensemble& model, const std::vector<const Sentence*>& targets,
                                       ComputeType compute) {
  const Batch& b = model.batch();
  if (static_cast<int64_t>(targets.size()) != b.N)
    throw Error("score_targets: one target per sentence of the batch");
  const int64_t N = b.N, V = model.target_vocab();
  for (const Sentence* target : targets) {
    for (int32_t token : *target) {
      if (token < 0 || token >= V)
        throw Error("score_targets: a target token is not in the vocabulary");
    }
  }
  std::vector<TargetScore> out(static_cast<size_t>(N));
  LiveRows live(N);
  std::vector<int32_t> tokens(static_cast<size_t>(N)), best_ids;
  std::vector<float> best_values, normalizer;
  model.start(compute);
  for (size_t t = 0; !live.empty(); ++t) {
    const int64_t R = live.size();
    for (int64_t r = 0; r < R; ++r) {
      const Sentence& target = *targets[static_cast<size_t>(live[r])];
      tokens[static_cast<size_t>(r)] = t == 0 ? kBos : target[t - 1];
    }
    const Ensemble::Step step = model.step(tokens.data(), compute);
    // The normalisers exactly as search computes them (the largest logit, then log Σ exp).
    best_tokens_of_step(step, {}, R, V, 1, best_ids, best_values, normalizer);
    live.begin_step();
    for (int64_t r = 0; r < R; ++r) {
      const int32_t n = live[r];
      const Sentence& target = *targets[static_cast<size_t>(n)];
      TargetScore& score = out[static_cast<size_t>(n)];
      const int32_t token = t < target.size() ? target[t] : kEos;
      const float logit = step.scores[r * V + token];
      // the same order of operations as search's running sum
      score.log_probability = score.log_probability - normalizer[static_cast<size_t>(r)] + logit;
      score.token_log_probabilities.push_back(static_cast<double>(logit) -
                                              normalizer[static_cast<size_t>(r)]);
      if (t < target.size()) live.keep(r);
    }
    live.advance(model);
  }
  return out;
}

}  // namespace rnmt
