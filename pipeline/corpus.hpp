#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "model/seq2seq.hpp"
#include "recipe/recipe.hpp"
#include "rnmt/translator.hpp"
#include "tokenizer/tokenizer.hpp"
#include "training/batching.hpp"

namespace rnmt {

// The text side of the stages: the recipe's parallel files, the workdir's tokenizers, corpora as
// token ids, and translation of raw lines with the recipe's settings.
struct Corpus {
  std::vector<std::string> src, tgt;
};
// Both sides of a pair of files; an Error naming both when their line counts differ.
Corpus read_corpus(const Recipe::Pair& files);

std::string src_tokenizer_path(const Recipe& recipe);
std::string tgt_tokenizer_path(const Recipe& recipe);  // the source one when joint

struct Tokenizers {
  PieceTokenizer src, tgt;
};
Tokenizers load_tokenizers(const Recipe& recipe);

// The pairs encode_corpus leaves out, by why.
struct DroppedPairs {
  int64_t empty_side = 0;    // a side with no pieces
  int64_t too_long = 0;      // a side over max_length pieces
  int64_t length_ratio = 0;  // one side over 3 times the other's length (and over 9 pieces)
};

// One pair as token ids into `src_ids` and `tgt_ids` (without the source's </s>); false when
// encode_corpus leaves it out, counted in `dropped` by why.
bool encode_pair(const std::string& src_line, const std::string& tgt_line, PieceTokenizer& src,
                 PieceTokenizer& tgt, int64_t max_length, DroppedPairs& dropped, Sentence& src_ids,
                 Sentence& tgt_ids, float dropout = 0, Rng* rng = nullptr);

// Pairs as token ids, counting those it leaves out in `dropped`. With dropout > 0, BPE-dropout.
// With source_eos (the model's), each source sentence kept ends with </s>.
ParallelData encode_corpus(const Corpus& corpus, PieceTokenizer& src, PieceTokenizer& tgt,
                           int64_t max_length, bool source_eos, DroppedPairs& dropped,
                           float dropout = 0, Rng* rng = nullptr);

// Raw lines translated as `rnmt translate` does it, with the given options (64 lines a batch);
// one output per line. `progress` is called after each batch (and may throw to stop). Without a
// shortlist, options.use_shortlist is ignored (validation during training has none yet).
std::vector<std::string> translate_lines(Seq2Seq& model, PieceTokenizer& src, PieceTokenizer& tgt,
                                         const std::vector<std::string>& lines,
                                         const Recipe& recipe, TranslationOptions options,
                                         const TranslationProgress& progress = nullptr,
                                         const Shortlist* shortlist = nullptr);

}  // namespace rnmt
