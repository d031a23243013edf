#pragma once
// The tokenizer a converted model carries for one side: how raw text becomes the tokens the model
// was trained on, over the vocabulary the conversion made.
#include <string>

#include "tokenizer/tokenizer.hpp"

namespace rnmt {

struct ConvertedTokenizer {
  std::string text;         // the tokenizer file's text (tokenizer_text)
  std::string description;  // what it is, for the converter's log
};

// `spec`: "whitespace" (text tokenized beforehand), a SentencePiece .model file (Google's library
// then segments and normalizes as the model was trained), or an rnmt tokenizer file (its
// segmentation and merges; the vocabulary stays `vocabulary`). An Error naming the file for one
// that is neither.
ConvertedTokenizer converted_tokenizer(const std::string& spec, const Vocabulary& vocabulary);

}  // namespace rnmt
