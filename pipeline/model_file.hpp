#pragma once
#include <memory>
#include <string>

#include "core/archive.hpp"
#include "model/seq2seq.hpp"
#include "pipeline/recipe.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

// Everything a model file (.rnmt, written by `rnmt run`'s export stage) holds: the resolved recipe,
// the source and target tokenizers, and the network with its trained weights.
struct LoadedModel {
  Recipe recipe;
  std::unique_ptr<Tokenizer> src, tgt;
  std::unique_ptr<Seq2Seq> network;
};

// Reads and checks a model file: format tag, version, checksum, every section, and that the weights
// fit the network the recipe and vocabularies describe. Anything else is an Error saying what is
// wrong with which file; nothing is trusted before it is checked.
LoadedModel load_model(const std::string& path);
// The same from an archive already read; `path` names it in errors.
LoadedModel load_model(const Archive& archive, const std::string& path);

}  // namespace rnmt
