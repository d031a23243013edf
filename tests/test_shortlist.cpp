// The lexical shortlist: IBM Model 1 learns which target pieces translate each source piece; the
// list survives its file section and refuses damage; a batch's vocabulary holds what it must; and
// search restricted to it is exactly search with every other piece ruled out (a list of the whole
// vocabulary: exactly search without one), in every strategy, with prefixes, ensembles and int8.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "core/rng.hpp"
#include "decoding/ensemble.hpp"
#include "decoding/search.hpp"
#include "rnmt/translator.hpp"
#include "shortlist/learn_shortlist.hpp"
#include "tests/model_fixture.hpp"
#include "tests/model_test_util.hpp"
#include "tests/skip.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

// Source pieces 4..23; each translates to itself + 40, in a shuffled order, and every target
// sentence also holds piece 5 (a function word with no source piece of its own).
ParallelData word_for_word(int64_t pairs) {
  ParallelData d;
  d.src_vocab = 24;
  d.tgt_vocab = 70;
  Rng rng(7);
  for (int64_t p = 0; p < pairs; ++p) {
    Sentence s, t = {5};
    const auto length = static_cast<int64_t>(3 + rng.below(6));
    for (int64_t i = 0; i < length; ++i) s.push_back(static_cast<int32_t>(4 + rng.below(20)));
    for (int32_t w : s) t.push_back(w + 40);
    for (size_t i = t.size() - 1; i > 0; --i) std::swap(t[i], t[rng.below(i + 1)]);
    d.src.push_back(s);
    d.tgt.push_back(t);
  }
  return d;
}

// A network whose target vocabulary (300) is well above the vocabulary's rounding (64).
ModelConfig wide_config(Cell cell, bool feeding) {
  ModelConfig c = small_config(cell, feeding);
  c.tgt_vocab = 300;
  return c;
}

// Each source piece 4..13 translates to three pieces of its own; the 20 most frequent are 4..23.
Shortlist narrow_shortlist() {
  Shortlist s;
  s.src_vocab = 14;
  s.tgt_vocab = 300;
  s.frequent = 20;
  for (int32_t t = 4; t < 300; ++t) s.by_frequency.push_back(t);
  s.offsets.assign(15, 0);
  for (int32_t w = 0; w < 14; ++w) {
    if (w >= 4)
      for (int32_t k = 0; k < 3; ++k) s.translations.push_back(30 + 17 * (w - 4) + k * 5);
    s.offsets[static_cast<size_t>(w) + 1] = static_cast<int64_t>(s.translations.size());
  }
  return s;
}

const std::vector<Sentence> kSources = {{4, 5, 6}, {7, 8}, {9, 10, 11, 12, 13}, {6}};

Batch source_batch() {
  return batch_of(kSources, std::vector<Sentence>(kSources.size()));
}

std::vector<SearchOptions> strategies() {
  return {{.beam = 1, .length_penalty = 0.6},
          {.beam = 4, .n_best = 3, .length_penalty = 0.6},
          {.n_best = 2, .sampling_topk = 0, .sampling_temperature = 1.2},
          {.beam = 3, .n_best = 2, .target_prefixes = {{44}, {}, {5, 6}, {}}}};
}

void require_same(const std::vector<std::vector<Hypothesis>>& a,
                  const std::vector<std::vector<Hypothesis>>& b, double tolerance) {
  REQUIRE(a.size() == b.size());
  for (size_t n = 0; n < a.size(); ++n) {
    REQUIRE(a[n].size() == b[n].size());
    for (size_t k = 0; k < a[n].size(); ++k) {
      CHECK(a[n][k].tokens == b[n][k].tokens);
      CHECK(a[n][k].score == Approx(b[n][k].score).margin(tolerance));
      CHECK(a[n][k].log_probability == Approx(b[n][k].log_probability).margin(tolerance));
    }
  }
}

std::vector<std::vector<Hypothesis>> restricted_search(Seq2Seq& model, const Batch& batch,
                                                       const std::vector<int32_t>& ids,
                                                       const SearchOptions& options) {
  Ensemble alone(model, batch);
  alone.restrict_output(ids);
  return search(alone, options);
}

}  // namespace

TEST_CASE("IBM Model 1 ranks each source piece's translation first", "[shortlist]") {
  const ParallelData d = word_for_word(400);
  const Shortlist s =
      learn_shortlist(d, {.translations = 3, .frequent = 2, .iterations = 5, .min_probability = 0});
  REQUIRE(s.offsets.size() == 25);
  for (int32_t w = 4; w < 24; ++w) {
    INFO("source piece " << w);
    REQUIRE(s.offsets[w + 1] - s.offsets[w] == 3);
    CHECK(s.translations[static_cast<size_t>(s.offsets[w])] == w + 40);
  }
  for (int32_t w = 0; w < 4; ++w) CHECK(s.offsets[w + 1] == s.offsets[w]);  // specials: none
  CHECK(s.by_frequency.front() == 5);                                       // in every sentence
  CHECK(s.by_frequency.size() == 66);
  CHECK(s.frequent == 2);
  // a probability floor leaves out what a piece merely meets: here all but its translation
  const Shortlist pruned = learn_shortlist(
      d, {.translations = 3, .frequent = 2, .iterations = 5, .min_probability = 0.5});
  for (int32_t w = 4; w < 24; ++w) {
    INFO("source piece " << w);
    REQUIRE(pruned.offsets[w + 1] - pruned.offsets[w] == 1);
    CHECK(pruned.translations[static_cast<size_t>(pruned.offsets[w])] == w + 40);
  }
  CHECK_THROWS_WITH(learn_shortlist(d, {.min_probability = 1.5}), Contains("min_probability"));
}

TEST_CASE("a shortlist round-trips through its bytes and damage is refused", "[shortlist]") {
  const Shortlist s = learn_shortlist(word_for_word(50), {});
  const std::string bytes = shortlist_bytes(s);
  const Shortlist back = parse_shortlist(bytes, 24, 70, "m.rnmt");
  CHECK(back.frequent == s.frequent);
  CHECK(back.by_frequency == s.by_frequency);
  CHECK(back.offsets == s.offsets);
  CHECK(back.translations == s.translations);
  CHECK_THROWS_WITH(parse_shortlist(bytes.substr(0, bytes.size() - 1), 24, 70, "m.rnmt"),
                    Contains("'m.rnmt': its shortlist is truncated"));
  CHECK_THROWS_WITH(parse_shortlist(bytes + "x", 24, 70, "m.rnmt"), Contains("after its end"));
  CHECK_THROWS_WITH(parse_shortlist(bytes, 24, 71, "m.rnmt"),
                    Contains("is for vocabularies of 24 and 70 pieces, the model has 24 and 71"));
  std::string out_of_range = bytes;
  const int32_t huge = 1000;
  std::memcpy(out_of_range.data() + out_of_range.size() - sizeof huge, &huge, sizeof huge);
  CHECK_THROWS_WITH(parse_shortlist(out_of_range, 24, 70, "m.rnmt"),
                    Contains("names a target piece the model lacks"));
  std::string bad_offsets = bytes;
  const int64_t backwards = -5;
  const size_t offsets_at = 5 * sizeof(int64_t) + 66 * sizeof(int32_t);
  std::memcpy(bad_offsets.data() + offsets_at + 3 * sizeof(int64_t), &backwards, sizeof backwards);
  CHECK_THROWS_WITH(parse_shortlist(bad_offsets, 24, 70, "m.rnmt"), Contains("damaged offsets"));
}

TEST_CASE("a batch's shortlist vocabulary holds what it must, ascending", "[shortlist]") {
  const Shortlist s = narrow_shortlist();
  const Batch b = batch_of(std::vector<Sentence>{{4, 5}}, std::vector<Sentence>(1));
  const std::vector<int32_t> ids = shortlist_vocabulary({{&s, &b}}, {299});
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(ids.size() == 64);  // 4 + 20 + 6 + 1 = 31, rounded up with frequent pieces
  const std::set<int32_t> in(ids.begin(), ids.end());
  for (int32_t t : {0, 1, 2, kEos, 4, 23, 30, 35, 40, 47, 52, 57, 299}) CHECK(in.count(t) == 1);
  CHECK(in.count(24) == 1);  // padding: the next most frequent
  CHECK(in.count(81) == 0);  // source piece 7's, which the batch lacks
  CHECK(in.count(200) == 0);
  // an ensemble's: the union of its members'
  const Batch other = batch_of(std::vector<Sentence>{{7}}, std::vector<Sentence>(1));
  const std::vector<int32_t> both = shortlist_vocabulary({{&s, &b}, {&s, &other}});
  CHECK(std::count(both.begin(), both.end(), 81) == 1);
  // a list of every piece: the whole vocabulary, in order
  Shortlist everything = s;
  everything.frequent = static_cast<int64_t>(s.by_frequency.size());
  const std::vector<int32_t> all = shortlist_vocabulary({{&everything, &b}});
  REQUIRE(all.size() == 300);
  for (int32_t t = 0; t < 300; ++t) CHECK(all[static_cast<size_t>(t)] == t);
}

TEST_CASE("a shortlist of the whole vocabulary decodes exactly as none", "[shortlist]") {
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const bool feeding = GENERATE(false, true);
  const ComputeType compute = GENERATE(ComputeType::f32, ComputeType::int8);
  if (compute == ComputeType::int8 && !int8_supported()) skip_test(kInt8Unsupported);
  Seq2Seq model(wide_config(cell, feeding), 5);
  const Batch b = source_batch();
  std::vector<int32_t> all(300);
  for (int32_t t = 0; t < 300; ++t) all[static_cast<size_t>(t)] = t;
  for (SearchOptions options : strategies()) {
    options.compute = compute;
    INFO("beam " << options.beam << ", sampling_topk " << options.sampling_topk);
    const auto full = search(model, b, options);
    require_same(restricted_search(model, b, all, options), full, 0.0);
    require_same(search(model, b, options), full, 0.0);  // and none stays behind
  }
}

TEST_CASE("search under a shortlist is search with every other piece ruled out", "[shortlist]") {
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(wide_config(cell, feeding), 5);
  // the same network with every piece outside the list ruled out by its output bias
  Seq2Seq ruled_out(wide_config(cell, feeding), 5);
  const Batch b = source_batch();
  const Shortlist s = narrow_shortlist();
  const std::vector<int32_t> ids = shortlist_vocabulary({{&s, &b}}, {44, 5, 6});
  REQUIRE(ids.size() < 300);
  Param& bias = ruled_out.params().find("output.bias");
  for (int32_t t = 0; t < 300; ++t)
    if (!std::binary_search(ids.begin(), ids.end(), t)) bias.w[t] = -1e30f;
  ruled_out.params().touch();
  for (const SearchOptions& options : strategies()) {
    INFO("beam " << options.beam << ", sampling_topk " << options.sampling_topk);
    const auto restricted = restricted_search(model, b, ids, options);
    if (options.sampling_topk == 1)  // samples draw in another index space: other random draws
      require_same(restricted, search(ruled_out, b, options), 1e-4);
    for (const auto& sentence : restricted)
      for (const Hypothesis& h : sentence)
        for (int32_t t : h.tokens) CHECK(std::binary_search(ids.begin(), ids.end(), t));
  }
  // An ensemble of the network with itself under the list decodes as the network alone does.
  const auto twin = Seq2Seq::sharing_weights_of(model);
  Ensemble pair({{&model, &b, 0.5}, {twin.get(), &b, 0.5}});
  pair.restrict_output(ids);
  const SearchOptions beam{.beam = 4, .n_best = 2, .length_penalty = 0.6};
  require_same(search(pair, beam), restricted_search(model, b, ids, beam), 1e-4);
  // A prefix piece outside the list is refused, not silently changed.
  SearchOptions outside{.beam = 2, .target_prefixes = {{299}, {}, {}, {}}};
  CHECK_THROWS_WITH(restricted_search(model, b, ids, outside),
                    Contains("not in the batch's shortlist"));
}

TEST_CASE("a shortlist without the special tokens or out of order is refused", "[shortlist]") {
  Seq2Seq model(wide_config(Cell::lstm, false), 5);
  const Batch b = source_batch();
  Ensemble e(model, b);
  CHECK_THROWS_WITH(e.restrict_output({0, 1, 2, 7}), Contains("must hold the special tokens"));
  CHECK_THROWS_WITH(e.restrict_output({0, 1, 2, 3, 9, 8}), Contains("ascending ids"));
  CHECK_THROWS_WITH(e.restrict_output({0, 1, 2, 3, 300}), Contains("ascending ids"));
}

TEST_CASE("the Translator uses a model file's shortlist, and refuses without one", "[shortlist]") {
  ModelFile f;  // source pieces a b c (ids 4..6), target x y z w (ids 4..7)
  const std::string plain = temp("no_shortlist.rnmt");
  write_archive(f.archive(), plain);
  Shortlist s;
  s.src_vocab = 7;
  s.tgt_vocab = 8;
  s.by_frequency = {4, 5, 6, 7};
  s.frequent = 4;  // the whole vocabulary: translations as without it
  s.offsets.assign(8, 0);
  f.shortlist = shortlist_bytes(s);
  const std::string listed = temp("shortlist.rnmt");
  write_archive(f.archive(), listed);
  TranslationOptions o;
  o.beam_size = 2;
  o.max_length_ratio = 1.5;
  const std::vector<std::string> lines = {"a b", "c a b c", "b"};
  const auto full = Translator(listed).translate(lines, o);
  o.use_shortlist = true;
  const auto restricted = Translator(listed).translate(lines, o);
  REQUIRE(restricted.size() == full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    CHECK(restricted[i].hypotheses.front().text == full[i].hypotheses.front().text);
    CHECK(restricted[i].hypotheses.front().score == full[i].hypotheses.front().score);
  }
  CHECK_THROWS_WITH(Translator(plain).translate(lines, o), Contains("no lexical shortlist"));
  CHECK_THROWS_WITH(Translator(plain).validate(o), Contains("no lexical shortlist"));
  // a damaged section makes the file unusable, by name
  f.shortlist = f.shortlist.substr(0, f.shortlist.size() - 3);
  const std::string damaged = temp("damaged_shortlist.rnmt");
  write_archive(f.archive(), damaged);
  CHECK_THROWS_WITH(Translator(damaged),
                    Contains("damaged_shortlist.rnmt") && Contains("truncated"));
}
