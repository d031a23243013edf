#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/archive.hpp"
#include "model/seq2seq.hpp"
#include "recipe/recipe.hpp"
#include "shortlist/shortlist.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rnmt {

// The model file (.rnmt): the one thing `rnmt run` exports and `rnmt translate`, rnmt::Translator
// and the tools read. An archive (core/archive.hpp) of four sections.
inline constexpr const char* kModelFileTag = "RNMTMODL";
inline constexpr uint32_t kModelFileVersion = 1;
inline constexpr const char* kRecipeSection = "recipe";
inline constexpr const char* kSourceTokenizerSection = "src_tokenizer";
inline constexpr const char* kTargetTokenizerSection = "tgt_tokenizer";
// and the weights, in model_file/weights.hpp's kWeightsSection (or in int8, `rnmt quantize`'s
// kQuantizedWeightsSection of model_file/quantized_weights.hpp); optionally a lexical shortlist,
// in shortlist/shortlist.hpp's kShortlistSection (files without one are as they were)

// What a model file holds, as bytes.
struct ModelFileContents {
  std::string recipe;                        // the resolved recipe (dump_recipe)
  std::string src_tokenizer, tgt_tokenizer;  // tokenizer model files
  std::string weights;                       // float32 values in ParamSet order
  std::string shortlist;                     // shortlist_bytes, or empty: none
};
Archive model_archive(const ModelFileContents& contents);
void write_model_file(const ModelFileContents& contents, const std::string& path);

// Everything a model file holds, loaded: the resolved recipe, the source and target tokenizers,
// and the network with its trained weights.
struct LoadedModel {
  Recipe recipe;
  std::unique_ptr<PieceTokenizer> src, tgt;
  std::unique_ptr<Seq2Seq> network;
  std::optional<Shortlist> shortlist;  // when the file has one
};

// Reads and checks a model file: format tag, version, checksum, every section, and that the weights
// fit the network the recipe and vocabularies describe. Anything else is an Error saying what is
// wrong with which file; nothing is trusted before it is checked.
LoadedModel load_model(const std::string& path);
// The same from an archive already read; `path` names it in errors.
LoadedModel load_model(const Archive& archive, const std::string& path);

// A model file's tokenizers alone, read and checked without building its network (the file is
// still read whole and its checksum checked).
struct ModelTokenizers {
  std::unique_ptr<PieceTokenizer> src, tgt;
};
ModelTokenizers load_model_tokenizers(const std::string& path);

}  // namespace rnmt
