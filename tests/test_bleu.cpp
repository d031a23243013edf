// BLEU against sacreBLEU's published test cases (its test/test_bleu.py) and 13a's rules.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "evaluation/bleu.hpp"

using namespace rnmt;

namespace {
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const std::vector<std::vector<std::string>> kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
}  // namespace

TEST_CASE("corpus BLEU equals sacreBLEU's published values", "[bleu]") {
  CHECK(corpus_bleu(kHyps, kRefs).score == Approx(48.530827).margin(1e-5));
  CHECK(corpus_bleu(kHyps, kRefs, BleuTokenize::none).score == Approx(49.1919566).margin(1e-5));
  CHECK(corpus_bleu({"", "", ""}, kRefs).score == 0.0);  // empty hypotheses are kept and score 0
}

TEST_CASE("BLEU statistics and scoring from statistics", "[bleu]") {
  const BleuScore s = corpus_bleu({"am I am a character sequence"},
                                  {{"I am a symbol string sequence a a"}}, BleuTokenize::none);
  CHECK(std::vector<int64_t>(s.stats.matches, s.stats.matches + 4) ==
        std::vector<int64_t>{4, 2, 1, 0});
  CHECK(std::vector<int64_t>(s.stats.totals, s.stats.totals + 4) ==
        std::vector<int64_t>{6, 5, 4, 3});
  BleuStats st;
  const int64_t matches[] = {9, 7, 5, 3}, totals[] = {10, 8, 6, 4};
  std::copy(matches, matches + 4, st.matches);
  std::copy(totals, totals + 4, st.totals);
  st.hyp_len = st.ref_len = 11;
  CHECK(bleu_from_stats(st).score == Approx(83.75922397).margin(1e-6));
}

TEST_CASE("13a tokenisation", "[bleu]") {
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  CHECK(tokenize_13a("It wasn't surprising.") == "It wasn't surprising .");
  CHECK(tokenize_13a("pi is 3.14, about 1,000-fold") == "pi is 3.14 , about 1,000 - fold");
  CHECK(tokenize_13a("&quot;a&quot; &amp; b<skipped>") == "\" a \" & b");
  CHECK(tokenize_13a("  spaced   out  ") == "spaced out");
}

TEST_CASE("BLEU output format, signature and errors", "[bleu]") {
  const BleuScore s = corpus_bleu(kHyps, kRefs);
  CHECK(s.format().rfind("BLEU = 48.53 ", 0) == 0);
  CHECK(s.signature() == "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0");
  REQUIRE_THROWS_WITH(corpus_bleu(kHyps, {{"one line"}}),
                      Catch::Contains("reference set 1 has 1 lines, the hypotheses 3"));
}
