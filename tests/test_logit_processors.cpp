// Repetition penalty, n-gram bans and the word penalty: what they do to a row of logits, and
// the guarantees they give every search strategy's outputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>

#include "decoding/logit_processors.hpp"
#include "decoding/search.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::vector<Sentence>& kSources = test::kReversalSources;

bool is_prefix(const Sentence& a, const Sentence& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

TEST_CASE("the repetition penalty and the n-gram ban on one row of logits", "[decoding]") {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> z = {2, -1, 0.5f, 3, 1, -2};
  const Sentence history = {0, 1, 1, 4};
  process_logits(z.data(), 6, history.data(), 4, {.repetition_penalty = 2});
  CHECK(z == std::vector<float>{1, -2, 0.5f, 3, 0.5f, -2});  // token 1 once, though twice held
  const Sentence h = {5, 6, 5};
  const auto banned = [&](int64_t n) {
    std::vector<float> row(8, 0.0f);
    process_logits(row.data(), 8, h.data(), 3, {.no_repeat_ngram_size = n});
    std::set<int32_t> out;
    for (int32_t v = 0; v < 8; ++v) {
      if (row[static_cast<size_t>(v)] == -inf) out.insert(v);
    }
    return out;
  };
  CHECK(banned(1) == std::set<int32_t>{5, 6});  // every token held
  CHECK(banned(2) == std::set<int32_t>{6});     // "5 6" again would repeat
  CHECK(banned(3).empty());                     // "6 5 x" never occurred
  CHECK(banned(4).empty());
}

TEST_CASE("n-gram bans and the repetition penalty hold in every strategy's outputs", "[decoding]") {
  Seq2Seq model(small_config(Cell::lstm, false), 23);  // untrained: it repeats itself
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const auto plain = search(model, b, {});
  bool plain_repeats = false;
  for (const auto& l : plain) {
    const Sentence& t = l.front().tokens;
    plain_repeats |= std::set<int32_t>(t.begin(), t.end()).size() < t.size();
  }
  REQUIRE(plain_repeats);  // else the checks below would prove nothing
  for (const auto& [beam, topk] :
       std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 1}, {1, 0}}) {
    INFO("beam " << beam << ", sampling top-k " << topk);
    const auto unigrams =
        search(model, b, {.beam = beam, .sampling_topk = topk, .no_repeat_ngram_size = 1});
    const auto bigrams =
        search(model, b, {.beam = beam, .sampling_topk = topk, .no_repeat_ngram_size = 2});
    for (size_t n = 0; n < kSources.size(); ++n) {
      const Sentence& u = unigrams[n].front().tokens;
      CHECK(std::set<int32_t>(u.begin(), u.end()).size() == u.size());
      const Sentence& g = bigrams[n].front().tokens;
      std::set<std::pair<int32_t, int32_t>> seen;
      for (size_t i = 0; i + 1 < g.size(); ++i) CHECK(seen.insert({g[i], g[i + 1]}).second);
    }
  }
  // a penalty of 1 changes nothing; a real one keeps the first token and changes later ones
  const auto one = search(model, b, {.repetition_penalty = 1.0});
  const auto strong = search(model, b, {.repetition_penalty = 3.0});
  bool changed = false;
  for (size_t n = 0; n < kSources.size(); ++n) {
    CHECK(one[n].front().tokens == plain[n].front().tokens);
    if (!plain[n].front().tokens.empty() && !strong[n].front().tokens.empty())
      CHECK(strong[n].front().tokens.front() == plain[n].front().tokens.front());
    changed |= strong[n].front().tokens != plain[n].front().tokens;
  }
  CHECK(changed);
}

TEST_CASE("the word penalty: greedy stops earlier or later along its own output", "[decoding]") {
  Seq2Seq model(small_config(Cell::gru, true), 29);
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 20);  // barely trained
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const auto plain = search(model, b, {.length_penalty = 0});
  const auto shorter = search(model, b, {.length_penalty = 0, .word_penalty = 4});
  const auto longer = search(model, b, {.length_penalty = 0, .word_penalty = -4});
  const auto nothing = search(model, b, {.word_penalty = 1e9});
  bool moved = false;
  for (size_t n = 0; n < kSources.size(); ++n) {
    INFO("sentence " << n);
    const Hypothesis& s = shorter[n].front();
    CHECK(is_prefix(s.tokens, plain[n].front().tokens));
    CHECK(is_prefix(plain[n].front().tokens, longer[n].front().tokens));
    CHECK(nothing[n].front().tokens.empty());
    // the score pays the penalty, the log-probability does not
    CHECK(s.score == Approx(s.log_probability - 4 * static_cast<double>(s.tokens.size())));
    moved |=
        s.tokens != plain[n].front().tokens || longer[n].front().tokens != plain[n].front().tokens;
  }
  CHECK(moved);
  // beam search with a prohibitive penalty ends every sentence at once, too
  for (const auto& l : search(model, b, {.beam = 3, .word_penalty = 1e9}))
    CHECK(l.front().tokens.empty());
  CHECK_THROWS_WITH(search(model, b, {.sampling_topk = 0, .word_penalty = 1}),
                    Contains("word_penalty ranks hypotheses of greedy or beam search"));
  CHECK_THROWS_WITH(search(model, b, {.repetition_penalty = 0}), Contains("must be positive"));
  CHECK_THROWS_WITH(search(model, b, {.no_repeat_ngram_size = -1}),
                    Contains("no_repeat_ngram_size must not be negative"));
  CHECK_THROWS_WITH(search(model, b, {.sampling_topk = -1}),
                    Contains("sampling_topk must not be negative"));
}
