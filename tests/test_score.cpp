// Forced decoding: scoring a translation gives the log-probability search reported for it, per
// token and in total; Translator::score does it on raw text, in any batching, with clear errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "decoding/score.hpp"
#include "decoding/search.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::vector<Sentence>& kSources = test::kReversalSources;

}  // namespace

TEST_CASE("forced decoding scores what search reported for its results", "[score]") {
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(small_config(cell, feeding), 11);
  // part-trained, so that outputs end with </s> but are not all certain
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 60);
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  for (const int64_t beam : {1, 4}) {
    INFO("beam " << beam);
    const auto lists = search(model, sources, {.beam = beam, .n_best = 1, .length_penalty = 0});
    std::vector<Sentence> outputs;
    for (const auto& l : lists) outputs.push_back(l.front().tokens);
    std::vector<const Sentence*> targets;
    for (const auto& o : outputs) targets.push_back(&o);
    const auto scores = score_targets(model, sources, targets);
    REQUIRE(scores.size() == kSources.size());
    const int64_t limit = 2 * 7 + 10;  // no hypothesis may stop at the length limit here
    for (size_t n = 0; n < scores.size(); ++n) {
      INFO("sentence " << n);
      REQUIRE(static_cast<int64_t>(outputs[n].size()) < limit);
      REQUIRE(scores[n].token_log_probabilities.size() == outputs[n].size() + 1);
      const double sum = std::accumulate(scores[n].token_log_probabilities.begin(),
                                         scores[n].token_log_probabilities.end(), 0.0);
      CHECK(scores[n].log_probability == Approx(sum).margin(1e-9));
      for (double p : scores[n].token_log_probabilities) CHECK(p <= 0);
      if (beam == 1) {
        // greedy advances exactly the rows scoring advances: the same arithmetic, bit for bit
        CHECK(scores[n].log_probability == lists[n].front().log_probability);
      } else {
        CHECK(scores[n].log_probability == Approx(lists[n].front().log_probability).margin(1e-4));
      }
    }
    // a worse target scores lower than the search's choice
    Sentence worse = outputs[0];
    worse.push_back(worse.empty() ? 5 : worse.back());
    const auto worse_score = score_targets(model, batch_of({kSources[0]}, {{}}), {&worse});
    CHECK(worse_score[0].log_probability < scores[0].log_probability);
  }
}

TEST_CASE("Translator::score: raw pairs, the score translation reported, clear errors",
          "[score][translator]") {
  const std::string path = temp("score.rnmt");
  ModelFile f(
      "workdir: w\ndata: {max_length: 12}\nmodel: {embedding: 8, encoder: {hidden: 6}, "
      "decoder: {hidden: 10}}\n");
  write_archive(f.archive(), path);
  const Translator translator(path);
  const std::vector<std::string> lines = {"a b c", "c c a b", "b", "", "a c", "abc cab"};
  TranslationOptions options = translator.default_options();
  options.beam_size = 1;
  options.length_penalty = 0;  // the score is then log p
  const auto translations = translator.translate(lines, options);
  std::vector<std::string> texts;
  for (const auto& t : translations) texts.push_back(t.hypotheses.front().text);
  const auto scores = translator.score(lines, texts, options);
  REQUIRE(scores.size() == lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO("line " << i);
    if (lines[i].empty()) {
      CHECK(std::isnan(scores[i].log_probability));
      continue;
    }
    CHECK(scores[i].tokens == translations[i].hypotheses.front().tokens);
    CHECK(scores[i].token_log_probabilities.size() == scores[i].tokens.size() + 1);
    // An (untrained) output cut at the length limit has no </s>: search's log p leaves it out.
    const auto limit =
        static_cast<size_t>(std::ceil(options.max_length_ratio *
                                      static_cast<double>(translations[i].source_tokens.size())) +
                            10);
    const double searched = translations[i].hypotheses.front().score;
    const double scored = scores[i].tokens.size() == limit
                              ? scores[i].log_probability - scores[i].token_log_probabilities.back()
                              : scores[i].log_probability;
    CHECK(scored == Approx(searched).margin(1e-4));
  }
  // any batching and thread count gives the same scores
  TranslationOptions one_by_one = options;
  one_by_one.max_batch_size = 1;
  one_by_one.threads = 2;
  const auto again = translator.score(lines, texts, one_by_one);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].empty())
      CHECK(again[i].log_probability == Approx(scores[i].log_probability).margin(1e-5));
  }
  CHECK_THROWS_WITH(translator.score(lines, {"x"}, options),
                    Contains("scoring needs one target per source: 6 sources, 1 targets"));
  options.compute_type = "int4";
  CHECK_THROWS_WITH(translator.score(lines, texts, options), Contains("unknown compute type"));
  std::filesystem::remove(path);
}
