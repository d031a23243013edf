// Random sampling: top-k 1 / temperature 0 are greedy; draws follow the model's distribution
// (chi-square), as shaped by temperature and top-k; top-p keeps exactly the smallest set; samples
// are reproducible by seed and independent of batching and threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "decoding/sample_search.hpp"
#include "decoding/score.hpp"
#include "decoding/search.hpp"
#include "decoding/search_steps.hpp"
#include "model/decoder_state.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::vector<Sentence> kSources = {{4, 5, 6, 7}, {8, 9, 4}, {10, 11, 12, 5, 6}, {13, 4}};

// The model's distribution of the first output token of `source` at a temperature, in double.
std::vector<double> first_token_distribution(Seq2Seq& model, const Sentence& source,
                                             double temperature) {
  DecoderState state;
  model.start(batch_of({source}, {{}}), state);
  const int32_t bos = kBos;
  const float* z = model.step(state, &bos).logits;
  const int64_t V = model.config().tgt_vocab;
  const double top = *std::max_element(z, z + V);
  std::vector<double> p(static_cast<size_t>(V));
  double sum = 0;
  for (int64_t v = 0; v < V; ++v)
    sum += p[static_cast<size_t>(v)] = std::exp((z[v] - top) / temperature);
  for (double& x : p) x /= sum;
  return p;
}

// Pearson's statistic of observed counts against expected probabilities, over categories with
// any probability; and its degrees of freedom.
std::pair<double, int> chi_square(const std::vector<int>& counts, const std::vector<double>& p,
                                  int draws) {
  double statistic = 0;
  int categories = 0;
  for (size_t v = 0; v < p.size(); ++v) {
    if (p[v] == 0) {
      REQUIRE(counts[v] == 0);
      continue;
    }
    const double expected = p[v] * draws;
    statistic += (counts[v] - expected) * (counts[v] - expected) / expected;
    ++categories;
  }
  return {statistic, categories - 1};
}

// Upper 0.1% points of chi-square (a correct sampler fails one run in a thousand per check).
double critical_999(int dof) {
  static const double table[] = {0,     10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12,
                                 27.88, 29.59, 31.26, 32.91, 34.53, 36.12, 37.70, 39.25};
  REQUIRE(dof >= 1);
  REQUIRE(dof <= 16);
  return table[dof];
}

}  // namespace

TEST_CASE("sampling at temperature 0 is greedy search, to the last bit", "[sampling]") {
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(small_config(Cell::lstm, feeding), 3);
  train_on(model, batch_of(kSources, shifted_reversals(kSources)), 30);
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const auto greedy = search(model, b, {.length_penalty = 0.6});
  for (const int64_t topk : {0, 5}) {
    const auto sampled =
        search(model, b, {.length_penalty = 0.6, .sampling_topk = topk, .sampling_temperature = 0});
    for (size_t n = 0; n < kSources.size(); ++n) {
      CHECK(sampled[n].front().tokens == greedy[n].front().tokens);
      CHECK(sampled[n].front().log_probability == greedy[n].front().log_probability);
      CHECK(sampled[n].front().score == greedy[n].front().score);
    }
  }
}

TEST_CASE("sampled tokens follow the model's distribution, its temperature and top-k",
          "[sampling]") {
  Seq2Seq model(small_config(Cell::gru, false), 9);  // untrained: every token has some chance
  const Sentence source = kSources[2];
  const int draws = 6000;
  const int64_t V = model.config().tgt_vocab;
  for (const auto& [topk, temperature] :
       std::vector<std::pair<int64_t, double>>{{0, 1.0}, {0, 0.5}, {3, 1.0}}) {
    INFO("top-k " << topk << ", temperature " << temperature);
    std::vector<double> p = first_token_distribution(model, source, temperature);
    if (topk > 0) {  // only the k most probable, renormalised
      std::vector<double> sorted = p;
      std::sort(sorted.rbegin(), sorted.rend());
      const double cut = sorted[static_cast<size_t>(topk - 1)];
      double kept = 0;
      for (double& x : p) kept += x = x >= cut ? x : 0;
      for (double& x : p) x /= kept;
    }
    // first tokens of `draws` samples of one sentence: short outputs suffice
    const auto samples = search(model, batch_of({source}, {{}}),
                                {.n_best = draws,
                                 .max_length_ratio = 0.01,
                                 .sampling_topk = topk,
                                 .sampling_temperature = temperature,
                                 .sentence_seeds = {42}});
    REQUIRE(samples[0].size() == static_cast<size_t>(draws));
    std::vector<int> counts(static_cast<size_t>(V), 0);
    int empty = 0;
    for (const auto& h : samples[0]) {
      if (h.tokens.empty()) {
        ++empty;  // </s> first
        continue;
      }
      ++counts[static_cast<size_t>(h.tokens.front())];
    }
    counts[kEos] += empty;
    const auto [statistic, dof] = chi_square(counts, p, draws);
    INFO("chi-square " << statistic << " with " << dof << " degrees of freedom");
    CHECK(statistic < critical_999(dof));
  }
}

TEST_CASE("top-p keeps exactly the smallest most probable set that reaches p", "[sampling]") {
  const std::vector<double> probabilities = {0.05, 0.5, 0.1, 0.2, 0.15};  // ids 1, 3, 4, 2, 0
  std::vector<float> z;
  for (double p : probabilities) z.push_back(static_cast<float>(std::log(p)));
  std::vector<int32_t> ids;
  std::vector<double> p;
  const auto kept = [&](double topp, int64_t topk = 0) {
    sampling_candidates(z.data(), 5, topk, topp, 1.0, ids, p);
    return ids;
  };
  CHECK(kept(0.4) == std::vector<int32_t>{1});
  CHECK(kept(0.5) == std::vector<int32_t>{1});  // 0.5 reaches 0.5 (up to rounding of the logits)
  CHECK(kept(0.69) == std::vector<int32_t>{1, 3});
  CHECK(kept(0.71) == std::vector<int32_t>{1, 3, 4});
  CHECK(kept(0.96) == std::vector<int32_t>{1, 3, 4, 2, 0});
  CHECK(kept(1.0) == std::vector<int32_t>{1, 3, 4, 2, 0});
  CHECK(kept(1.0, 2) == std::vector<int32_t>{1, 3});  // top-k first, then top-p
  CHECK(kept(0.71) == std::vector<int32_t>{1, 3, 4});
  REQUIRE(p.size() == 3);
  CHECK(p[0] == Approx(0.5 / 0.85));  // renormalised over what is kept
  CHECK(p[1] == Approx(0.2 / 0.85));
  CHECK(p[2] == Approx(0.15 / 0.85));
}

TEST_CASE("samples depend on their seed alone: not on batching, threads or other sentences",
          "[sampling][translator]") {
  const std::string path = temp("sampling.rnmt");
  ModelFile f("workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: {hidden: 10}}\n");
  write_archive(f.archive(), path);
  const Translator translator(path);
  const std::vector<std::string> lines = {"a b c", "c c a b", "", "b", "a c", "abc cab", "c"};
  TranslationOptions o = translator.default_options();
  o.beam_size = 1;
  o.num_hypotheses = 3;
  o.sampling_topk = 0;
  o.random_seed = 7;
  struct Sample {
    std::string text;
    double score;
  };
  const auto samples = [](const std::vector<TranslationResult>& results) {
    std::vector<Sample> out;
    for (const auto& r : results)
      for (const auto& h : r.hypotheses) out.push_back({h.text, h.score});
    return out;
  };
  // The same samples, with the same scores to float rounding: another batching sums in another
  // order (the sanitizers' -O1 build moved a score by 1e-6).
  const auto same = [](const std::vector<Sample>& a, const std::vector<Sample>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].text != b[i].text || std::fabs(a[i].score - b[i].score) > 1e-4) return false;
    }
    return true;
  };
  const auto reference = samples(translator.translate(lines, o));
  CHECK(reference.size() == 6 * 3 + 1);  // the empty line gets one empty hypothesis
  TranslationOptions other = o;
  other.max_batch_size = 2;
  other.threads = 2;
  CHECK(same(samples(translator.translate(lines, other)), reference));
  // a line translated alone, numbered as before, draws the same samples
  const auto alone = samples(translator.translate({lines[4]}, o, nullptr, 5));
  CHECK(same(std::vector<Sample>(reference.begin() + 10, reference.begin() + 13), alone));
  // another seed draws other samples
  other.random_seed = 8;
  CHECK_FALSE(same(samples(translator.translate(lines, other)), reference));
  // and the samples of a line are not all one
  std::set<std::string> distinct;
  for (const Sample& sample : reference) distinct.insert(sample.text);
  CHECK(distinct.size() > lines.size());
  // option checks
  o.beam_size = 2;
  CHECK_THROWS_WITH(translator.translate(lines, o), Contains("use beam size 1"));
  o.beam_size = 1;
  o.sampling_topp = 0;
  CHECK_THROWS_WITH(translator.translate(lines, o), Contains("sampling_topp must be in (0, 1]"));
  o.sampling_topp = 1;
  o.sampling_temperature = -1;
  CHECK_THROWS_WITH(translator.translate(lines, o), Contains("must not be negative"));
  std::filesystem::remove(path);
}

TEST_CASE("a sample's score is the model's log-probability of it", "[sampling]") {
  Seq2Seq model(small_config(Cell::lstm, true), 4);
  const Batch b = batch_of(kSources, std::vector<Sentence>(kSources.size()));
  const auto samples = search(
      model, b, {.n_best = 2, .length_penalty = 0, .sampling_topk = 0, .sampling_topp = 0.9});
  for (size_t n = 0; n < kSources.size(); ++n) {
    for (const auto& h : samples[n]) {
      if (static_cast<int64_t>(h.tokens.size()) >= output_limits(b, 2.0)[n]) continue;  // cut off
      const auto scored = score_targets(model, batch_of({kSources[n]}, {{}}), {&h.tokens});
      CHECK(h.log_probability == Approx(scored[0].log_probability).margin(1e-4));
      CHECK(h.score == h.log_probability);  // length penalty 0
    }
  }
}
