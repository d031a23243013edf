#pragma once
#include <vector>

#include "decoding/search.hpp"

namespace rnmt {

// Forced decoding: the log-probability the model gives a target, token by token.
struct TargetScore {
  double log_probability = 0;                   // of the target's tokens and </s>
  std::vector<double> token_log_probabilities;  // one per target token, then one for </s>
};

// Scores targets[n] as the translation of the batch's sentence n (the batch's own target side is
// ignored), through the same Ensemble::start/step as search: a hypothesis that search finished
// with </s> scores exactly the log-probability search reported for it.
// With an ensemble, a target scores the weighted sum of its members' scores.
std::vector<TargetScore> score_targets(Ensemble& models,
                                       const std::vector<const Sentence*>& targets,
                                       ComputeType compute = ComputeType::f32);
std::vector<TargetScore> score_targets(Seq2Seq& model, const Batch& batch,
                                       const std::vector<const Sentence*>& targets,
                                       ComputeType compute = ComputeType::f32);

}  // namespace rnmt
