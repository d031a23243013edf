#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/batch.hpp"

namespace rnmt {

// A lexical shortlist (Marian's --shortlist, CTranslate2's vocabulary map): for each source piece,
// the target pieces most likely to translate it, and the target pieces by training frequency.
// Search with a shortlist computes the output layer only for the target pieces a batch's source
// pieces make likely, which is most of a search step's arithmetic.
struct Shortlist {
  int64_t src_vocab = 0, tgt_vocab = 0;
  int64_t frequent = 0;               // how many of by_frequency every batch may always output
  std::vector<int32_t> by_frequency;  // [tgt_vocab - 4]: target pieces, most frequent first
  std::vector<int64_t> offsets;       // [src_vocab + 1]: piece s's translations in [s, s + 1)
  std::vector<int32_t> translations;  // each source piece's, most likely first
};

// How a shortlist is learned (shortlist/learn_shortlist.hpp); a recipe's export.shortlist.
struct ShortlistLearning {
  int64_t translations = 50;  // target pieces kept per source piece (0: no shortlist)
  int64_t frequent = 100;     // the most frequent target pieces every batch may output
  int64_t iterations = 5;     // of IBM Model 1's expectation-maximisation
  // Translations less probable than this are left out (Marian prunes its lexical tables so): a
  // frequent source piece spreads its probability over many pieces it merely meets.
  double min_probability = 0.0;
};

// The model file section that holds a shortlist (model_file/model_file.hpp).
inline constexpr const char* kShortlistSection = "shortlist";

// As bytes: little-endian int64 sizes, then the lists.
std::string shortlist_bytes(const Shortlist& shortlist);
// Read back and checked against the model's vocabularies: anything that does not fit is an Error
// naming `what`.
Shortlist parse_shortlist(std::string_view bytes, int64_t src_vocab, int64_t tgt_vocab,
                          const std::string& what);

// One network's part in choosing a batch's output vocabulary: its shortlist and its batch (an
// ensemble's networks may read the source differently).
struct ShortlistedBatch {
  const Shortlist* shortlist;
  const Batch* batch;
};

// The target pieces a batch may output: the four specials (so that they keep their ids, the
// lowest: </s> is always in), each shortlist's `frequent` most frequent pieces, the translations of
// every source piece of the batch, and `also` (target prefixes' pieces). Then more of the first
// shortlist's frequent pieces, until the count is a multiple of 64 (or the whole vocabulary): fewer
// shapes for the output layer's products. Ascending ids; a shortlist of the whole vocabulary gives
// 0 .. tgt_vocab - 1.
std::vector<int32_t> shortlist_vocabulary(const std::vector<ShortlistedBatch>& batches,
                                          const std::vector<int32_t>& also = {});

}  // namespace rnmt
