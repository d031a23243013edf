// Arbitrary bytes as what `rnmt bleu` reads: lines of hypotheses and of references (the input's
// lines split in two halves). Properties: 13a tokenisation gives words joined by single spaces;
// the score is a finite number from 0 to 100, and hypotheses scored against themselves score 100
// whenever they hold a 4-gram.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "evaluation/bleu.hpp"
#include "fuzz/check.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> lines = split_lines(data, size);
  const size_t half = lines.size() / 2;
  const std::vector<std::string> hyps(lines.begin(), lines.begin() + static_cast<long>(half)),
      refs(lines.begin() + static_cast<long>(half), lines.begin() + static_cast<long>(2 * half));
  for (const auto& l : lines) {
    const std::string words = tokenize_13a(l);
    FUZZ_CHECK(words.empty() || (words.front() != ' ' && words.back() != ' '));
    FUZZ_CHECK(words.find("  ") == std::string::npos);
  }
  for (BleuTokenize t : {BleuTokenize::t13a, BleuTokenize::none}) {
    const BleuScore s = corpus_bleu(hyps, {refs}, t);
    FUZZ_CHECK(std::isfinite(s.score) && s.score >= 0 && s.score <= 100 + 1e-9);
    const BleuScore same = corpus_bleu(hyps, {hyps}, t);
    if (same.stats.totals[3] > 0) FUZZ_CHECK(std::abs(same.score - 100) < 1e-6);
    (void)s.format();
    (void)s.signature();
  }
  return 0;
}
