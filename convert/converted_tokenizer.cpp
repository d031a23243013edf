#include "convert/converted_tokenizer.hpp"

#include "core/files.hpp"
#include "tokenizer/sentencepiece.hpp"

namespace rnmt {

ConvertedTokenizer converted_tokenizer(const std::string& spec, const Vocabulary& vocabulary) {
  TokenizerModel t;
  std::string description = "whitespace-separated tokens";
  if (spec == "whitespace") {
    t.options.segmentation = Segmentation::whitespace;
  } else {
    const std::string bytes = read_whole_file(spec, "tokenizer");
    if (bytes.rfind("rnmt-tokenizer", 0) == 0) {
      t = parse_tokenizer(bytes, spec);
      description = "rnmt tokenizer " + spec;
    } else {
      t.options.segmentation = Segmentation::sentencepiece;
      t.sentencepiece_model = bytes;
      load_sentencepiece(bytes, spec + " (not an rnmt tokenizer either)");
      description = "SentencePiece model " + spec;
    }
  }
  if (t.options.segmentation != Segmentation::rnmt)
    t.options.normalization = Normalization::none;  // SentencePiece normalizes as it was trained
  t.vocabulary = vocabulary;
  return {tokenizer_text(t), description};
}

}  // namespace rnmt
