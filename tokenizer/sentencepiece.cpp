#include "tokenizer/sentencepiece.hpp"

#include <sentencepiece_processor.h>

#include "core/error.hpp"

namespace rnmt {

SentencePiece load_sentencepiece(std::string_view serialized, const std::string& what) {
  auto model = std::make_shared<sentencepiece::SentencePieceProcessor>();
  const auto status = model->LoadFromSerializedProto(serialized);
  if (!status.ok()) throw Error(what + ": not a SentencePiece model (" + status.ToString() + ")");
  return model;
}

std::vector<std::string> sentencepiece_encode(const SentencePiece& model, std::string_view text) {
  std::vector<std::string> pieces;
  const auto status = model->Encode(text, &pieces);
  if (!status.ok()) throw Error("SentencePiece could not encode a line: " + status.ToString());
  return pieces;
}

std::string sentencepiece_decode(const SentencePiece& model,
                                 const std::vector<std::string>& pieces) {
  std::string text;
  const auto status = model->Decode(pieces, &text);
  if (!status.ok()) throw Error("SentencePiece could not decode pieces: " + status.ToString());
  return text;
}

}  // namespace rnmt
