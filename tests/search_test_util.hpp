#pragma once
// Shared by the search tests: teacher forcing's log-probability of a hypothesis, and a sentence
// searched in a padded batch giving what it gives alone.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "decoding/search.hpp"
#include "tests/model_test_util.hpp"

namespace rnmt::test {

// log p(hypothesis </s> | source) by teacher forcing.
inline double teacher_forced_log_p(Seq2Seq& model, const Sentence& source,
                                   const Sentence& hypothesis) {
  const Batch scored = batch_of({source}, {hypothesis});
  model.forward(scored, false);
  const Tensor& p = model.output_probabilities();
  const int64_t V = model.config().tgt_vocab;
  double log_p = 0;
  for (int64_t t = 0; t < scored.T; ++t)
    log_p += std::log(p[static_cast<size_t>(t * V + scored.tgt_out[static_cast<size_t>(t)])]);
  return log_p;
}

// Every sentence's hypotheses and scores, searched together in one padded batch, against the same
// sentence searched alone.
inline void check_batch_searches_as_alone(Seq2Seq& model, const std::vector<Sentence>& sources,
                                          const SearchOptions& options) {
  const std::vector<Sentence> none(sources.size());
  const auto together = search(model, batch_of(sources, none), options);
  for (size_t n = 0; n < sources.size(); ++n) {
    INFO("sentence " << n);
    const auto alone = search(model, batch_of({sources[n]}, {Sentence{}}), options);
    REQUIRE(alone[0].size() == together[n].size());
    for (size_t i = 0; i < alone[0].size(); ++i) {
      CHECK(alone[0][i].tokens == together[n][i].tokens);
      CHECK(alone[0][i].score == Approx(together[n][i].score).margin(1e-4));
    }
  }
}

}  // namespace rnmt::test
