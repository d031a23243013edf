#pragma once
// What the search strategies share: reading a step's logits, length limits, hypotheses.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/vec_math.hpp"
#include "decoding/search.hpp"

namespace rnmt {

// log Σ exp z[v], given the largest z (which the top-token pass has found).
inline float log_sum_exp(const float* z, int64_t V, float max) {
  float sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t v = 0; v < V; ++v) sum += fast_exp(z[v] - max);
  return max + std::log(sum);
}

// The `count` largest logits of z [V], largest first; of equal ones the lowest id comes first.
void top_tokens(const float* z, int64_t V, int64_t count, int32_t* ids, float* values);

// For each row of a step: its `count` best tokens and their logits (ids, values [rows, count]),
// and the log normalizer (log Σ exp) of its logits [rows], so that a token's log-probability is
// its logit minus the normalizer. Rows with allow_eos[r] == 0 (when given) pass over </s> in
// their best tokens, and so do all rows over <unk> when pass_over_unk; their normalizer still
// counts them (scores stay the model's log-probabilities).
void best_tokens_of_rows(const float* logits, int64_t rows, int64_t V, int64_t count,
                         std::vector<int32_t>& ids, std::vector<float>& values,
                         std::vector<float>& normalizer, const uint8_t* allow_eos = nullptr,
                         bool pass_over_unk = false);

// best_tokens_of_rows over a step's scores. An ensemble's scores are log-probabilities already
// (their normaliser is 0), unless the options' logit processors have changed them: then they are
// normalised again, as one network's logits are.
void best_tokens_of_step(const Ensemble::Step& step, const SearchOptions& options, int64_t rows,
                         int64_t V, int64_t count, std::vector<int32_t>& ids,
                         std::vector<float>& values, std::vector<float>& normalizer,
                         const uint8_t* allow_eos = nullptr);

// The longest output each sentence may get: ceil(ratio · source length) + 10 tokens, at most
// options.max_length (when set), at least its target prefix.
std::vector<int64_t> output_limits(const Batch& batch, const SearchOptions& options);
std::vector<int64_t> output_limits(const Batch& batch, double max_length_ratio);

// The token sentence n must take at output position t, or -1 when it is free to choose.
inline int32_t forced_token(const SearchOptions& o, int64_t n, int64_t t) {
  if (o.target_prefixes.empty()) return -1;
  const Sentence& prefix = o.target_prefixes[static_cast<size_t>(n)];
  return t < static_cast<int64_t>(prefix.size()) ? prefix[static_cast<size_t>(t)] : -1;
}

// The source position a row of attention weights [length] attends most.
inline int32_t most_attended(const float* weights, int64_t length) {
  return static_cast<int32_t>(std::max_element(weights, weights + length) - weights);
}

// A finished hypothesis' score: log p / length^alpha, the length counting </s> (and <s> too when
// o.length_includes_start).
inline double length_normalized(double log_probability, int64_t tokens, const SearchOptions& o) {
  const double length = static_cast<double>(tokens) + (o.length_includes_start ? 2.0 : 1.0);
  const double base =
      o.length_penalty_form == LengthPenaltyForm::wu ? (5.0 + length) / 6.0 : length;
  return log_probability / std::pow(base, o.length_penalty);
}

// The rows still decoding in greedy search, sampling and forced decoding, one per hypothesis:
// ids[r] names row r's hypothesis (a sentence, or a sample). After a step, keep() the rows that go
// on; advance() makes them the next step's rows and has the model keep their decoder states.
struct LiveRows {
  std::vector<int32_t> ids, next, from;

  explicit LiveRows(int64_t count) : ids(static_cast<size_t>(count)) {
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  }
  bool empty() const { return ids.empty(); }
  int64_t size() const { return static_cast<int64_t>(ids.size()); }
  int32_t operator[](int64_t r) const { return ids[static_cast<size_t>(r)]; }
  void begin_step() {
    next.clear();
    from.clear();
  }
  void keep(int64_t r) {
    next.push_back(ids[static_cast<size_t>(r)]);
    from.push_back(static_cast<int32_t>(r));
  }
  void advance(Ensemble& model) {
    ids.swap(next);
    if (!ids.empty()) model.select(from);
  }
};

// Appends the token row r chose to sentence n's hypothesis, with its alignment and attention row
// when asked for.
inline void append_token(Hypothesis& h, int32_t token, const Ensemble::Step& step, int64_t r,
                         const Batch& b, int32_t n, bool align, bool attend) {
  h.tokens.push_back(token);
  const float* weights = step.attention ? step.attention + r * b.S : nullptr;
  const int32_t length = b.src_lengths[static_cast<size_t>(n)];
  if (align) h.alignment.push_back(most_attended(weights, length));
  if (attend) h.attention.emplace_back(weights, weights + length);
}

}  // namespace rnmt
