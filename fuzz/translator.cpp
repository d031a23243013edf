// Arbitrary bytes as lines for rnmt::Translator on a tiny model (random weights, at most 12 source
// pieces). Properties: one result per input line, in order, each with at least one hypothesis; an
// empty line gives an empty translation; a line longer than the model takes is truncated, not
// refused; invalid UTF-8 is replaced (the model's policy), never an error. And the search itself:
// the same call gives the same results (texts, tokens and scores, exactly); the last line alone
// gives what it gave in the batch (padding changes nothing); every score is finite; no output is
// longer than the length limit, ceil(max_length_ratio x source pieces) + 10.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/archive.hpp"
#include "fuzz/check.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"

using namespace rnmt;

namespace {

const Translator& tiny_translator() {
  static const Translator translator = [] {
    const std::string path = test::temp("fuzz_translator.rnmt");
    write_archive(test::ModelFile("workdir: w\ndata: {max_length: 12}\nmodel: {embedding: 8, "
                                  "encoder: {hidden: 6}, decoder: {hidden: 10}}\n")
                      .archive(),
                  path);
    return Translator(path);
  }();
  return translator;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // a few lines of any length is the point, not a book
  const std::vector<std::string> lines = split_lines(data, size);
  TranslationOptions options = tiny_translator().default_options();
  options.beam_size = 1 + (size % 3);
  options.num_hypotheses = 1;
  options.threads = 1;
  const auto results = tiny_translator().translate(lines, options);
  FUZZ_CHECK(results.size() == lines.size());
  const auto same = [](const TranslationResult& a, const TranslationResult& b, double tolerance) {
    if (a.source_tokens != b.source_tokens || a.hypotheses.size() != b.hypotheses.size())
      return false;
    for (size_t k = 0; k < a.hypotheses.size(); ++k) {
      const TranslationHypothesis &x = a.hypotheses[k], &y = b.hypotheses[k];
      if (x.text != y.text || x.tokens != y.tokens ||
          std::abs(x.score - y.score) > tolerance * std::max(1.0, std::abs(x.score)))
        return false;
    }
    return true;
  };
  const auto again = tiny_translator().translate(lines, options);
  const auto alone = tiny_translator().translate({lines.back()}, options);
  FUZZ_CHECK(same(alone.front(), results.back(), 1e-4));
  for (size_t i = 0; i < lines.size(); ++i) {
    FUZZ_CHECK(same(results[i], again[i], 0));
    FUZZ_CHECK(!results[i].hypotheses.empty());
    FUZZ_CHECK(results[i].source_tokens.size() <= 12);
    if (results[i].source_tokens.empty()) FUZZ_CHECK(results[i].hypotheses.front().text.empty());
    const double limit =
        std::ceil(options.max_length_ratio * static_cast<double>(results[i].source_tokens.size())) +
        10;
    for (const TranslationHypothesis& h : results[i].hypotheses) {
      FUZZ_CHECK(std::isfinite(h.score));
      FUZZ_CHECK(static_cast<double>(h.tokens.size()) <= limit);
    }
  }
  return 0;
}
