#include "embeddings/pretrained_embeddings.hpp"

#include <algorithm>
#include <string_view>

#include "core/error.hpp"

namespace rnmt {
namespace {

constexpr std::string_view kWordStart = "\xE2\x96\x81";  // "▁", marks a word's first piece

// The word a piece stands for when it begins a word ("▁house" -> "house"), else "".
std::string_view word_of(std::string_view piece) {
  if (piece.substr(0, kWordStart.size()) != kWordStart) return {};
  return piece.substr(kWordStart.size());
}

}  // namespace

EmbeddingCoverage place_word_vectors(const WordVectors& vectors, const std::string& path,
                                     PieceTokenizer& tokenizer, float* table, int64_t dimension) {
  if (vectors.dimension != dimension) {
    throw Error(path + ": vectors of dimension " + std::to_string(vectors.dimension) +
                ", but model.embedding is " + std::to_string(dimension));
  }
  const Vocabulary& vocabulary = tokenizer.model().vocabulary;
  const auto V = static_cast<int64_t>(vocabulary.size());
  constexpr int64_t kSpecials = std::size(Vocabulary::kSpecials);
  EmbeddingCoverage coverage;
  coverage.pieces = std::max<int64_t>(0, V - kSpecials);
  std::vector<uint8_t> placed(static_cast<size_t>(V), 0);  // [V] got a word's own vector
  for (int64_t id = kSpecials; id < V; ++id) {
    const std::string& piece = vocabulary.pieces[static_cast<size_t>(id)];
    auto found = vectors.rows.find(std::string(word_of(piece)));
    if (word_of(piece).empty()) found = vectors.rows.find(piece);  // punctuation and the like
    if (found == vectors.rows.end()) continue;
    std::copy_n(vectors.row(found->second), dimension, table + id * dimension);
    placed[static_cast<size_t>(id)] = 1;
    ++coverage.words;
  }
  // The other pieces: the mean of the words they are part of.
  std::vector<double> sum(static_cast<size_t>(V * dimension), 0.0);  // [V, dimension]
  std::vector<int64_t> count(static_cast<size_t>(V), 0);             // [V]
  std::vector<int32_t> ids;  // the pieces of one word, each once
  for (size_t w = 0; w < vectors.words.size(); ++w) {
    // The word at the start of a line and after a space ("house", "▁house") may split apart
    // differently: both count.
    const std::string& word = vectors.words[w];
    ids.clear();
    for (const std::string& piece : tokenizer.tokenize(word + " " + word)) {
      const int32_t id = vocabulary.id(piece);
      if (id >= kSpecials && !placed[static_cast<size_t>(id)]) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const float* vector = vectors.row(static_cast<int64_t>(w));
    for (const int32_t id : ids) {
      double* s = &sum[static_cast<size_t>(id * dimension)];
      for (int64_t d = 0; d < dimension; ++d) s[d] += vector[d];
      ++count[static_cast<size_t>(id)];
    }
  }
  for (int64_t id = kSpecials; id < V; ++id) {
    const int64_t n = count[static_cast<size_t>(id)];
    if (n == 0) continue;
    for (int64_t d = 0; d < dimension; ++d) {
      table[id * dimension + d] =
          static_cast<float>(sum[static_cast<size_t>(id * dimension + d)] / static_cast<double>(n));
    }
    ++coverage.composed;
  }
  return coverage;
}

}  // namespace rnmt
