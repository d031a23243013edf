#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/enum_names.hpp"

namespace rnmt {

// The files pretrained word vectors come in. word2vec: a "count dimension" header line, then one
// vector per word, as text ("word v1 .. vD" lines, fastText's .vec) or binary (the word, a space,
// D little-endian float32 values); which of the two is read from the file. GloVe: text lines with
// no header.
enum class WordVectorFormat { detect, word2vec, glove };
inline constexpr EnumName<WordVectorFormat> kWordVectorFormatNames[] = {
    {WordVectorFormat::detect, "auto"},
    {WordVectorFormat::word2vec, "word2vec"},
    {WordVectorFormat::glove, "glove"}};

struct WordVectors {
  int64_t dimension = 0;
  std::vector<std::string> words;                 // [count] in file order
  std::vector<float> values;                      // [count, dimension]
  std::unordered_map<std::string, int64_t> rows;  // word -> its row (the first, if repeated)

  const float* row(int64_t i) const { return values.data() + i * dimension; }
};

// Reads a vector file. A malformed line or record, a count that disagrees with the header, a
// non-finite value or an unreadable file is an Error naming the file and line (record, in binary
// files).
WordVectors read_word_vectors(const std::string& path,
                              WordVectorFormat format = WordVectorFormat::detect);

}  // namespace rnmt
