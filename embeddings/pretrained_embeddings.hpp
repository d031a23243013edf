#pragma once
#include <cstdint>

#include "embeddings/word_vectors.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

// How many rows of an embedding table pretrained vectors gave.
struct EmbeddingCoverage {
  int64_t pieces = 0;    // the vocabulary's pieces, special tokens left out
  int64_t words = 0;     // pieces that are a word of the file: their row is its vector
  int64_t composed = 0;  // pieces that are part of words of the file: the mean of those vectors
  double fraction() const {
    return pieces ? static_cast<double>(words + composed) / static_cast<double>(pieces) : 0;
  }
};

// Writes pretrained vectors into rows of an embedding table [vocabulary size, dimension] (the
// tokenizer's vocabulary). A piece that is a word of the file, as it stands ("house" at the start
// of a line, ",") or after its word-start mark ("▁house"), gets that word's vector. Any other piece
// (a continuation like "ing", the lone "▁") gets the mean of the vectors of the file's words whose
// pieces, at the start of a line or after a space, include it. Other rows and the special tokens'
// are left as they were (the model's own initialisation). The vectors' dimension must be the
// table's (else an Error naming `path`).
EmbeddingCoverage place_word_vectors(const WordVectors& vectors, const std::string& path,
                                     PieceTokenizer& tokenizer, float* table, int64_t dimension);

}  // namespace rnmt
