#pragma once
// SentencePiece models (Debian's libsentencepiece), which many OpenNMT-py and Marian models were
// trained with: rnmt carries the model's bytes in its tokenizer and uses the library to encode
// and decode, so that a converted model reads raw text as its training data was read.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace rnmt {

using SentencePiece = std::shared_ptr<const sentencepiece::SentencePieceProcessor>;

// A model from its serialized bytes (a .model file's content); an Error naming `what` when the
// bytes are not a SentencePiece model.
SentencePiece load_sentencepiece(std::string_view serialized, const std::string& what);

// Raw text -> pieces (the model's own normalization included) and pieces -> raw text.
std::vector<std::string> sentencepiece_encode(const SentencePiece& model, std::string_view text);
std::string sentencepiece_decode(const SentencePiece& model,
                                 const std::vector<std::string>& pieces);

}  // namespace rnmt
