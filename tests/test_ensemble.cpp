// Ensembles: networks decoding together combine their log-probabilities at every step. A network
// with itself decodes as it does alone; a hypothesis scores the weighted sum of its members'
// forced-decoding scores, whichever strategy found it, even when members read different sources.
#include <catch2/catch.hpp>

#include <filesystem>

#include "decoding/ensemble.hpp"
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

// The strategies an ensemble must serve: greedy, beam and sampling, with n-best lists.
std::vector<SearchOptions> strategies() {
  return {{.beam = 1, .length_penalty = 0.6},
          {.beam = 4, .n_best = 3, .length_penalty = 0.6},
          {.n_best = 3, .sampling_topk = 0, .sampling_temperature = 1.5}};
}

std::vector<const Sentence*> pointers(const std::vector<Sentence>& sentences) {
  std::vector<const Sentence*> out;
  for (const auto& s : sentences) out.push_back(&s);
  return out;
}

// Another "source language" for the same sentences: ids mirrored in 4..13 and an extra closing
// token, so that the member reading it has other ids and other lengths.
std::vector<Sentence> other_tokenization(const std::vector<Sentence>& sources) {
  std::vector<Sentence> out;
  for (const auto& s : sources) {
    Sentence t;
    for (int32_t w : s) t.push_back(17 - w);
    t.push_back(13);
    out.push_back(t);
  }
  return out;
}

}  // namespace

TEST_CASE("an ensemble of a network with itself decodes as the network alone", "[ensemble]") {
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  Seq2Seq model(small_config(cell, cell == Cell::gru), 11);
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 60);
  const auto twin = Seq2Seq::sharing_weights_of(model);
  const std::vector<Sentence> none(kSources.size());
  const Batch b = batch_of(kSources, none);
  // in int8 too (where the CPU has it): each member quantises as the network alone does
  const ComputeType compute = GENERATE(ComputeType::f32, ComputeType::int8);
  if (compute == ComputeType::int8 && !int8_supported()) return;
  for (SearchOptions options : strategies()) {
    options.compute = compute;
    INFO("beam " << options.beam << ", sampling_topk " << options.sampling_topk);
    const auto alone = search(model, b, options);
    Ensemble pair({{&model, &b, 0.5}, {twin.get(), &b, 0.5}});
    const auto together = search(pair, options);
    REQUIRE(together.size() == alone.size());
    for (size_t n = 0; n < alone.size(); ++n) {
      REQUIRE(together[n].size() == alone[n].size());
      for (size_t i = 0; i < alone[n].size(); ++i) {
        CHECK(together[n][i].tokens == alone[n][i].tokens);
        CHECK(together[n][i].log_probability == Approx(alone[n][i].log_probability).margin(1e-5));
        CHECK(together[n][i].score == Approx(alone[n][i].score).margin(1e-5));
      }
    }
  }
}

TEST_CASE("an ensemble's hypotheses score the weighted sum of its members' scores",
          "[ensemble][score]") {
  // Two different networks, the second reading its own tokenization of the sources.
  Seq2Seq first(small_config(Cell::lstm, false), 11);
  Seq2Seq second(small_config(Cell::gru, true), 12);
  const std::vector<Sentence> targets = shifted_reversals(kSources);
  const std::vector<Sentence> second_sources = other_tokenization(kSources);
  train_on(first, batch_of(kSources, targets), 60);
  train_on(second, batch_of(second_sources, targets), 40);
  const std::vector<Sentence> none(kSources.size());
  const Batch first_batch = batch_of(kSources, none), second_batch = batch_of(second_sources, none);
  REQUIRE(second_batch.S != first_batch.S);
  for (const auto& weights : std::vector<std::pair<double, double>>{{0.6, 0.4}, {1.0, 1.0}}) {
    Ensemble both(
        {{&first, &first_batch, weights.first}, {&second, &second_batch, weights.second}});
    for (const SearchOptions& options : strategies()) {
      INFO("weights " << weights.first << ", " << weights.second << "; beam " << options.beam
                      << ", sampling_topk " << options.sampling_topk);
      const auto lists = search(both, options);
      for (size_t i = 0; i < static_cast<size_t>(options.n_best); ++i) {
        std::vector<Sentence> outputs;
        for (const auto& l : lists) outputs.push_back(l.at(i).tokens);
        const auto alone_first = score_targets(first, first_batch, pointers(outputs));
        const auto alone_second = score_targets(second, second_batch, pointers(outputs));
        const auto together = score_targets(both, pointers(outputs));
        for (size_t n = 0; n < kSources.size(); ++n) {
          INFO("sentence " << n << ", hypothesis " << i);
          // part-trained: every hypothesis ends with </s> before the length limit
          REQUIRE(outputs[n].size() < 2 * kSources[n].size() + 10);
          const double weighted = weights.first * alone_first[n].log_probability +
                                  weights.second * alone_second[n].log_probability;
          CHECK(lists[n][i].log_probability == Approx(weighted).margin(1e-4));
          CHECK(together[n].log_probability == Approx(weighted).margin(1e-4));
        }
      }
    }
  }
  // A member of weight 0 changes nothing.
  Ensemble muted({{&first, &first_batch, 1.0}, {&second, &second_batch, 0.0}});
  const auto with_muted = search(muted, {.beam = 4, .n_best = 4});
  const auto alone = search(first, first_batch, {.beam = 4, .n_best = 4});
  for (size_t n = 0; n < kSources.size(); ++n) {
    for (size_t i = 0; i < 4; ++i) CHECK(with_muted[n][i].tokens == alone[n][i].tokens);
  }
}

TEST_CASE("an ensemble decodes each sentence as it would alone", "[ensemble]") {
  Seq2Seq first(small_config(Cell::lstm, true), 11), second(small_config(Cell::lstm, false), 13);
  const std::vector<Sentence> targets = shifted_reversals(kSources);
  const std::vector<Sentence> second_sources = other_tokenization(kSources);
  train_on(first, batch_of(kSources, targets), 50);
  train_on(second, batch_of(second_sources, targets), 50);
  const std::vector<Sentence> none(kSources.size());
  const Batch first_batch = batch_of(kSources, none), second_batch = batch_of(second_sources, none);
  Ensemble both({{&first, &first_batch, 0.5}, {&second, &second_batch, 0.5}});
  const SearchOptions options{.beam = 3, .n_best = 2};
  const auto together = search(both, options);
  for (size_t n = 0; n < kSources.size(); ++n) {
    const Batch one = batch_of({kSources[n]}, {{}}), other = batch_of({second_sources[n]}, {{}});
    Ensemble alone({{&first, &one, 0.5}, {&second, &other, 0.5}});
    const auto single = search(alone, options);
    INFO("sentence " << n);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(single[0][i].tokens == together[n][i].tokens);
      CHECK(single[0][i].score == Approx(together[n][i].score).margin(1e-4));
    }
  }
}

TEST_CASE("an ensemble of networks that do not fit together is an rnmt::Error",
          "[ensemble][errors]") {
  Seq2Seq first(small_config(Cell::lstm, false), 11);
  ModelConfig bigger_vocabulary = small_config(Cell::lstm, false);
  bigger_vocabulary.tgt_vocab = 20;
  Seq2Seq other(bigger_vocabulary, 12);
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const Batch fewer = batch_of({kSources[0]}, {{}});
  CHECK_THROWS_WITH(Ensemble({{&first, &b, 0.5}, {&other, &b, 0.5}}),
                    Contains("share one target vocabulary"));
  CHECK_THROWS_WITH(Ensemble({{&first, &b, 0.5}, {&first, &b, 0.5}}),
                    Contains("distinct networks"));
  const auto twin = Seq2Seq::sharing_weights_of(first);
  CHECK_THROWS_WITH(Ensemble({{&first, &b, 0.5}, {twin.get(), &fewer, 0.5}}),
                    Contains("read the same sentences"));
  CHECK_THROWS_WITH(Ensemble({}), Contains("at least one network"));
}

TEST_CASE("Translator ensembles: model files decoding together, weights, clear errors",
          "[ensemble][translator]") {
  const std::string recipe =
      "workdir: w\ndata: {max_length: 12}\nmodel: {embedding: 8, encoder: {hidden: 6}, "
      "decoder: {hidden: 10}}\n";
  ModelFile a(recipe);
  ModelFile b(recipe);  // another source side and other weights, the same target tokenizer
  b.src_tok = tokenizer_text({"c", "b", "a", "d"});
  b.network = std::make_unique<Seq2Seq>(model_config(b.recipe, 8, 8), 5);
  ModelFile foreign(recipe);
  foreign.tgt_tok = tokenizer_text({"x", "y", "z", "v"});
  const std::string path_a = temp("ensemble_a.rnmt"), path_b = temp("ensemble_b.rnmt"),
                    path_foreign = temp("ensemble_foreign.rnmt");
  write_archive(a.archive(), path_a);
  write_archive(b.archive(), path_b);
  write_archive(foreign.archive(), path_foreign);
  const std::vector<std::string> lines = {"a b c", "c c a b", "", "b", "a c"};

  const Translator alone(path_a);
  TranslationOptions options = alone.default_options();
  options.num_hypotheses = 2;
  options.threads = 2;
  options.max_batch_size = 2;
  const auto single = alone.translate(lines, options);
  const auto twice = Translator({path_a, path_a}, {}).translate(lines, options);
  for (size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(twice[i].hypotheses.size() == single[i].hypotheses.size());
    for (size_t h = 0; h < single[i].hypotheses.size(); ++h) {
      CHECK(twice[i].hypotheses[h].text == single[i].hypotheses[h].text);
      CHECK(twice[i].hypotheses[h].score == Approx(single[i].hypotheses[h].score).margin(1e-5));
    }
  }

  // Different source tokenizers: each model reads the line its own way; the scores combine.
  const Translator ensemble({path_a, path_b}, {0.7, 0.3});
  const Translator alone_b(path_b);
  std::vector<std::string> outputs;
  for (const auto& r : ensemble.translate(lines, options)) outputs.push_back(r.hypotheses[0].text);
  const auto score_a = alone.score(lines, outputs, options);
  const auto score_b = alone_b.score(lines, outputs, options);
  const auto score_ab = ensemble.score(lines, outputs, options);
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO("line " << i);
    if (lines[i].empty()) {
      CHECK(std::isnan(score_ab[i].log_probability));
      continue;
    }
    CHECK(score_ab[i].log_probability ==
          Approx(0.7 * score_a[i].log_probability + 0.3 * score_b[i].log_probability).margin(1e-4));
  }

  CHECK_THROWS_WITH(
      Translator({path_a, path_foreign}, {}),
      Contains(path_a) && Contains(path_foreign) && Contains("different target tokenizers"));
  CHECK_THROWS_WITH(Translator({path_a, path_b}, {1.0}),
                    Contains("one per model (2 models, 1 weights)"));
  CHECK_THROWS_WITH(Translator({path_a, path_b}, {1.0, -1.0}), Contains("non-negative"));
  CHECK_THROWS_WITH(Translator(std::vector<std::string>{}, {}), Contains("at least one model"));
  for (const auto& p : {path_a, path_b, path_foreign}) std::filesystem::remove(p);
}
