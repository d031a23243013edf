#pragma once
// Corpus BLEU exactly as sacreBLEU 2 computes it by default, without Python.
//
//   #include <rnmt/bleu.hpp>
//   rnmt::BleuScore bleu = rnmt::corpus_bleu(hypotheses, {references});
//   std::cout << bleu.format() << "\n" << bleu.signature() << "\n";
#include <cstdint>
#include <string>
#include <vector>

#include "rnmt/error.hpp"

namespace rnmt {

enum class BleuTokenize { none, t13a };

struct BleuStats {
  int64_t matches[4] = {0, 0, 0, 0};  // clipped n-gram matches, n = 1..4
  int64_t totals[4] = {0, 0, 0, 0};   // hypothesis n-grams
  int64_t hyp_len = 0, ref_len = 0;
};

struct BleuScore {
  double score = 0;  // 0-100
  double precisions[4] = {0, 0, 0, 0};
  double brevity_penalty = 0;
  BleuStats stats;
  int64_t references = 1;
  BleuTokenize tokenize = BleuTokenize::t13a;
  std::string format() const;     // "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = ... ref_len = 18)"
  std::string signature() const;  // "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0"
};

// Corpus BLEU exactly as sacreBLEU 2 computes it by default: 13a tokenisation, case-sensitive,
// clipped counts over all references, the reference length closest to each hypothesis (the shorter
// on ties), exponential smoothing of zero n-gram matches, no effective order.
// references[r][i] is reference r of sentence i.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      BleuTokenize tokenize = BleuTokenize::t13a);

}  // namespace rnmt
