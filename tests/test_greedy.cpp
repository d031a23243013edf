// Greedy decoding: the argmax path that teacher-forced scoring confirms, the same in a padded batch
// as alone, and the right answer from a model that has learned its task.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "decoding/search.hpp"
#include "model/seq2seq.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using rnmt::test::batch_of;

namespace {

const std::vector<Sentence> kSources = {
    {4, 5, 6, 7}, {8, 9, 4}, {10, 11, 12, 5, 6}, {7, 7, 9}, {13, 4}};

std::vector<Sentence> reversed_targets() {
  return test::shifted_reversals(kSources);
}

ModelConfig config(Cell cell, bool feeding) {
  return test::small_config(cell, feeding);
}

// 150 Adam steps on the reversal task: enough to learn it exactly.
void train_on_task(Seq2Seq& model) {
  test::train_on(model, batch_of(kSources, reversed_targets()), 150);
}

void check_teacher_forced_argmax(Seq2Seq& model) {
  const std::vector<Sentence> none(kSources.size());
  const auto greedy = greedy_tokens(model, batch_of(kSources, none), 2.0);
  const Batch scored = batch_of(kSources, greedy);
  model.forward(scored, false);
  const Tensor& p = model.output_probabilities();
  const int64_t N = scored.N, V = model.config().tgt_vocab;
  for (int64_t n = 0; n < N; ++n) {
    const Sentence& y = greedy[static_cast<size_t>(n)];
    const auto limit = static_cast<size_t>(2 * kSources[static_cast<size_t>(n)].size() + 10);
    // every emitted token, then </s> unless decoding stopped at the length limit
    const size_t checked = y.size() < limit ? y.size() + 1 : y.size();
    for (size_t t = 0; t < checked; ++t) {
      const float* row = p.data() + (static_cast<int64_t>(t) * N + n) * V;
      const auto argmax = static_cast<int32_t>(std::max_element(row, row + V) - row);
      INFO("sentence " << n << " position " << t);
      CHECK(argmax == (t < y.size() ? y[t] : kEos));
    }
  }
}

}  // namespace

TEST_CASE("greedy decoding follows the teacher-forced argmax path", "[greedy]") {
  const auto cell = GENERATE(Cell::lstm, Cell::gru);
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(config(cell, feeding), 7);
  check_teacher_forced_argmax(model);  // untrained: long, arbitrary outputs
}

TEST_CASE("a sentence decodes the same in a padded batch as alone", "[greedy][padding]") {
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(config(Cell::lstm, feeding), 8);
  const std::vector<Sentence> none(kSources.size());
  const auto together = greedy_tokens(model, batch_of(kSources, none), 2.0);
  for (size_t i = 0; i < kSources.size(); ++i) {
    const auto alone = greedy_tokens(model, batch_of({kSources[i]}, {Sentence{}}), 2.0);
    CHECK(alone[0] == together[i]);
  }
}

TEST_CASE("a model trained on its task decodes the right answers", "[greedy][training]") {
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(config(Cell::lstm, feeding), 1);
  const auto targets = reversed_targets();
  train_on_task(model);
  const std::vector<Sentence> none(kSources.size());
  CHECK(greedy_tokens(model, batch_of(kSources, none), 2.0) == targets);
  check_teacher_forced_argmax(model);  // trained: short outputs that end with </s>
}

namespace {

// Sum of log-probabilities the model gives `hyps` (each followed by </s>), from teacher forcing.
std::vector<double> sequence_scores(Seq2Seq& model, const std::vector<Sentence>& hyps) {
  const Batch b = batch_of(kSources, hyps);
  model.forward(b, false);
  const Tensor& p = model.output_probabilities();
  const int64_t V = model.config().tgt_vocab;
  std::vector<double> out(static_cast<size_t>(b.N), 0.0);
  for (int64_t t = 0; t < b.T; ++t) {
    for (int64_t n = 0; n < b.N; ++n) {
      const int32_t y = b.tgt_out[static_cast<size_t>(t * b.N + n)];
      if (y != kPad)
        out[static_cast<size_t>(n)] += std::log(p[static_cast<size_t>((t * b.N + n) * V + y)]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("beam search: beam 1 is greedy, a trained model's beams are its answers", "[beam]") {
  const bool feeding = GENERATE(false, true);
  const bool trained = GENERATE(false, true);
  Seq2Seq model(config(Cell::lstm, feeding), 11);
  const auto targets = reversed_targets();
  if (trained) train_on_task(model);
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  const auto greedy = greedy_tokens(model, sources, 2.0);
  CHECK(beam_tokens(model, sources, 1, 0.0, 2.0) == greedy);
  const auto beam = beam_tokens(model, sources, 4, 0.0, 2.0);
  if (trained) {
    CHECK(beam == targets);
    const auto g = sequence_scores(model, greedy), s = sequence_scores(model, beam);
    for (size_t n = 0; n < g.size(); ++n) CHECK(s[n] >= g[n] - 1e-4);
  }
  // every sentence of a batch decodes as it would alone
  for (size_t i = 0; i < kSources.size(); ++i) {
    CHECK(beam_tokens(model, batch_of({kSources[i]}, {Sentence{}}), 4, 0.6, 2.0)[0] ==
          beam_tokens(model, sources, 4, 0.6, 2.0)[i]);
  }
}

TEST_CASE("a wider beam finds more probable outputs where greedy is not optimal", "[beam]") {
  // Part-way through training the model is unsure: greedy's first choices are sometimes worse
  // overall. Beam 4 (no length penalty: it ranks by log p) must then find outputs at least as
  // probable as greedy's, by teacher-forced scoring, and strictly more probable somewhere, or the
  // comparison would be a sequence's score against itself.
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(config(Cell::lstm, feeding), 5);
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  int compared = 0, improved = 0;
  for (int round = 0; round < 8; ++round) {
    test::train_on(model, batch_of(kSources, reversed_targets()), 8);
    const auto greedy = greedy_tokens(model, sources, 2.0);
    const auto beam = beam_tokens(model, sources, 4, 0.0, 2.0);
    const auto g = sequence_scores(model, greedy), b = sequence_scores(model, beam);
    for (size_t n = 0; n < kSources.size(); ++n) {
      // outputs cut at the length limit end without </s>: their scores are not comparable
      const size_t limit = 2 * kSources[n].size() + 10;
      if (greedy[n].size() >= limit || beam[n].size() >= limit) continue;
      INFO("round " << round << " sentence " << n);
      CHECK(b[n] >= g[n] - 1e-4);
      ++compared;
      improved += b[n] > g[n] + 1e-4;
    }
  }
  CHECK(compared >= 20);
  CHECK(improved >= 1);
}
