// The conditional decoders (clstm, cgru: Marian's s2s decoder) beyond their gradients
// (test_gradients.cpp): they learn a task, search finds what teacher forcing scores, a sentence
// gets the same result in a padded batch as alone, and what they cannot be is refused by name.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "decoding/search.hpp"
#include "model/seq2seq.hpp"
#include "tests/model_test_util.hpp"
#include "tests/search_test_util.hpp"

using namespace rnmt;
using rnmt::test::batch_of;

namespace {

const std::vector<Sentence>& kSources = test::kReversalSources;

ModelConfig conditional_config(DecoderCell cell) {
  ModelConfig c = test::small_config(Cell::lstm, false);
  c.decoder_cell = cell;
  c.attention = AttentionType::additive;
  c.bridge = BridgeType::mean;
  return c;
}

}  // namespace

TEST_CASE("a conditional decoder learns its task, and its n-best scores are teacher forcing's",
          "[conditional][training]") {
  const auto cell = GENERATE(DecoderCell::clstm, DecoderCell::cgru);
  INFO(enum_name(kDecoderCellNames, cell));
  Seq2Seq model(conditional_config(cell), 21);
  const std::vector<Sentence> targets = test::shifted_reversals(kSources);
  const Batch training = batch_of(kSources, targets);
  const double before = model.forward(training, false).loss;
  test::train_on(model, training, 250);
  CHECK(model.forward(training, false).loss < 0.05 * before);  // learning happened
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  CHECK(greedy_tokens(model, sources, 2.0) == targets);
  const auto lists = search(model, sources, {.beam = 4, .n_best = 3});
  REQUIRE(lists.size() == kSources.size());
  for (size_t n = 0; n < lists.size(); ++n) {
    INFO("sentence " << n);
    REQUIRE(lists[n].size() == 3);
    CHECK(lists[n][0].tokens == targets[n]);
    for (const auto& hypothesis : lists[n])
      CHECK(hypothesis.log_probability ==
            Approx(test::teacher_forced_log_p(model, kSources[n], hypothesis.tokens)).margin(1e-3));
  }
}

TEST_CASE("a conditional decoder gives a sentence the same result in a padded batch as alone",
          "[conditional][padding]") {
  const auto cell = GENERATE(DecoderCell::clstm, DecoderCell::cgru);
  const auto bridge = GENERATE(BridgeType::tanh, BridgeType::mean);
  const int64_t beam = GENERATE(1, 3);
  INFO(enum_name(kDecoderCellNames, cell)
       << " bridge " << enum_name(kBridgeTypeNames, bridge) << " beam " << beam);
  ModelConfig config = conditional_config(cell);
  config.bridge = bridge;
  Seq2Seq model(config, 9);
  test::check_batch_searches_as_alone(model, kSources,
                                      {.beam = beam, .n_best = beam, .length_penalty = 0.6});
  // and teacher forcing scores a sentence the same in a padded batch as alone
  const std::vector<Sentence> targets = test::shifted_reversals(kSources);
  model.forward(batch_of(kSources, targets), false);
  const Tensor batched = model.output_probabilities();
  const int64_t N = static_cast<int64_t>(kSources.size()), V = config.tgt_vocab;
  for (size_t n = 0; n < kSources.size(); ++n) {
    model.forward(batch_of({kSources[n]}, {targets[n]}), false);
    const Tensor& alone = model.output_probabilities();
    for (size_t t = 0; t <= targets[n].size(); ++t)
      for (int64_t v = 0; v < V; ++v)
        REQUIRE(alone[t * static_cast<size_t>(V) + static_cast<size_t>(v)] ==
                Approx(batched[(t * static_cast<size_t>(N) + n) * static_cast<size_t>(V) +
                               static_cast<size_t>(v)])
                    .margin(1e-5));
  }
}

TEST_CASE("what a conditional decoder cannot be is refused by name", "[conditional][errors]") {
  ModelConfig c = conditional_config(DecoderCell::cgru);
  SECTION("two layers") {
    c.decoder_layers = 2;
    CHECK_THROWS_WITH(Seq2Seq(c, 1),
                      "model.decoder.layers: the conditional cells (clstm, cgru) are one layer");
  }
  SECTION("input feeding") {
    c.input_feeding = true;
    CHECK_THROWS_WITH(Seq2Seq(c, 1), Catch::Contains("model.decoder.input_feeding"));
  }
  SECTION("no attention") {
    c.attention = AttentionType::none;
    CHECK_THROWS_WITH(Seq2Seq(c, 1),
                      "model.attention: the conditional cells (clstm, cgru) need "
                      "an attention");
  }
  SECTION("a copy bridge") {
    c.bridge = BridgeType::copy;
    CHECK_THROWS_WITH(Seq2Seq(c, 1), Catch::Contains("start from tanh or mean"));
  }
}
