// Target prefixes and length controls: outputs start with their prefix and continue as the model
// finds best, </s> waits for the minimum length, outputs stop at the maximum, and the scores stay
// the model's log-probabilities of the outputs (forced decoding agrees).
#include <catch2/catch.hpp>

#include <filesystem>

#include "decoding/score.hpp"
#include "decoding/search.hpp"
#include "decoding/search_steps.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::vector<Sentence>& kSources = test::kReversalSources;

std::vector<const Sentence*> pointers(const std::vector<Sentence>& v) {
  std::vector<const Sentence*> out;
  for (const auto& s : v) out.push_back(&s);
  return out;
}

}  // namespace

TEST_CASE("outputs start with their target prefix, and a prefix of greedy's output changes nothing",
          "[search][prefix]") {
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(small_config(Cell::lstm, feeding), 13);
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 150);
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const auto greedy = search(model, b, {.length_penalty = 0});
  // Prefixes: greedy's own first two tokens (the continuation must then be greedy's), and a wrong
  // first token (the model must continue from it).
  std::vector<Sentence> own, wrong;
  for (size_t n = 0; n < kSources.size(); ++n) {
    const Sentence& g = greedy[n].front().tokens;
    own.push_back(Sentence(g.begin(), g.begin() + std::min<size_t>(2, g.size())));
    wrong.push_back({static_cast<int32_t>(4 + (n % 3))});
  }
  const auto continued = search(model, b, {.length_penalty = 0, .target_prefixes = own});
  for (size_t n = 0; n < kSources.size(); ++n)
    CHECK(continued[n].front().tokens == greedy[n].front().tokens);
  for (const int64_t beam : {1, 3}) {
    for (const int64_t topk : {1, 0}) {
      if (beam > 1 && topk != 1) continue;
      INFO("beam " << beam << ", sampling top-k " << topk);
      const auto out = search(
          model, b,
          {.beam = beam, .length_penalty = 0, .sampling_topk = topk, .target_prefixes = wrong});
      std::vector<Sentence> outputs;
      for (size_t n = 0; n < kSources.size(); ++n) {
        const Sentence& tokens = out[n].front().tokens;
        REQUIRE(!tokens.empty());
        CHECK(tokens.front() == wrong[n].front());
        outputs.push_back(tokens);
      }
      // the prefix's log-probability is counted: forced decoding of the whole output agrees
      const auto scored = score_targets(model, b, pointers(outputs));
      for (size_t n = 0; n < kSources.size(); ++n)
        CHECK(out[n].front().log_probability == Approx(scored[n].log_probability).margin(1e-4));
    }
  }
  CHECK_THROWS_WITH(search(model, b, {.target_prefixes = {{4}}}),
                    Contains("one target prefix per sentence"));
}

TEST_CASE("min and max decoding lengths bound every output, and scores stay the model's",
          "[search][length]") {
  Seq2Seq model(small_config(Cell::gru, false), 17);
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 150);
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  for (const int64_t beam : {1, 3}) {
    for (const int64_t topk : {1, 0}) {
      if (beam > 1 && topk != 1) continue;
      INFO("beam " << beam << ", sampling top-k " << topk);
      const auto longer = search(
          model, b, {.beam = beam, .length_penalty = 0, .sampling_topk = topk, .min_length = 9});
      std::vector<Sentence> outputs;
      for (size_t n = 0; n < kSources.size(); ++n) {
        CHECK(longer[n].front().tokens.size() >= 9);  // the reversals are at most 7 long
        outputs.push_back(longer[n].front().tokens);
      }
      const auto scored = score_targets(model, b, pointers(outputs));
      const auto limits = output_limits(b, 2.0);
      for (size_t n = 0; n < kSources.size(); ++n) {
        if (static_cast<int64_t>(outputs[n].size()) >= limits[n]) continue;  // cut: no </s>
        CHECK(longer[n].front().log_probability == Approx(scored[n].log_probability).margin(1e-4));
      }
      const auto shorter = search(model, b, {.beam = beam, .sampling_topk = topk, .max_length = 2});
      for (size_t n = 0; n < kSources.size(); ++n) CHECK(shorter[n].front().tokens.size() <= 2);
    }
  }
  CHECK_THROWS_WITH(search(model, b, {.min_length = 5, .max_length = 3}),
                    Contains("min_decoding_length (5) is above max_decoding_length (3)"));
}

TEST_CASE("Translator: target prefixes per line, length controls, and their errors",
          "[translator][prefix]") {
  const std::string path = temp("prefix.rnmt");
  ModelFile f("workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: {hidden: 10}}\n");
  write_archive(f.archive(), path);
  const Translator translator(path);
  const std::vector<std::string> lines = {"a b c", "c c a b", "", "b"};
  TranslationOptions o = translator.default_options();
  o.target_prefix = {"w", "z", "x", ""};
  o.max_decoding_length = 5;
  const auto results = translator.translate(lines, o);
  CHECK(results[0].hypotheses.front().tokens.front() == "w");
  CHECK(results[1].hypotheses.front().tokens.front() == "z");
  CHECK(results[2].hypotheses.front().text.empty());  // an empty line stays empty
  for (const auto& r : results) CHECK(r.hypotheses.front().tokens.size() <= 5);
  o.target_prefix = {"w"};
  CHECK_THROWS_WITH(translator.translate(lines, o),
                    Contains("target prefixes: one per line (4 lines, 1 prefixes)"));
  o.target_prefix.clear();
  o.min_decoding_length = -1;
  CHECK_THROWS_WITH(translator.translate(lines, o), Contains("must not be negative"));
  std::filesystem::remove(path);
}
