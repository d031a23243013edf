#include "model_file/model_file.hpp"

#include "core/error.hpp"
#include "model_file/quantized_weights.hpp"
#include "model_file/weights.hpp"
#include "recipe/model_config.hpp"

namespace rnmt {

Archive model_archive(const ModelFileContents& c) {
  Archive a;
  a.tag = kModelFileTag;
  a.version = kModelFileVersion;
  a.sections[kRecipeSection] = c.recipe;
  a.sections[kSourceTokenizerSection] = c.src_tokenizer;
  a.sections[kTargetTokenizerSection] = c.tgt_tokenizer;
  a.sections[kWeightsSection] = c.weights;
  if (!c.shortlist.empty()) a.sections[kShortlistSection] = c.shortlist;
  return a;
}

void write_model_file(const ModelFileContents& contents, const std::string& path) {
  write_archive(model_archive(contents), path);
}

LoadedModel load_model(const std::string& path) {
  return load_model(read_archive(path, kModelFileTag, kModelFileVersion), path);
}

namespace {

ModelTokenizers tokenizers_of(const Archive& a, const std::string& path) {
  return {std::make_unique<PieceTokenizer>(
              parse_tokenizer(a.get(kSourceTokenizerSection), path + " (source tokenizer)")),
          std::make_unique<PieceTokenizer>(
              parse_tokenizer(a.get(kTargetTokenizerSection), path + " (target tokenizer)"))};
}

}  // namespace

ModelTokenizers load_model_tokenizers(const std::string& path) {
  const Archive a = read_archive(path, kModelFileTag, kModelFileVersion);
  try {
    return tokenizers_of(a, path);
  } catch (const Error& e) {
    throw Error("'" + path + "' is not a usable rnmt model: " + e.what());
  }
}

LoadedModel load_model(const Archive& a, const std::string& path) {
  LoadedModel m;
  const auto quantized = a.sections.find(kQuantizedWeightsSection);
  try {
    m.recipe = parse_recipe(a.get(kRecipeSection), path + " (recipe)", {}, false);
    ModelTokenizers tokenizers = tokenizers_of(a, path);
    m.src = std::move(tokenizers.src);
    m.tgt = std::move(tokenizers.tgt);
    m.network = Seq2Seq::for_inference(
        model_config(m.recipe, static_cast<int64_t>(m.src->model().vocabulary.size()),
                     static_cast<int64_t>(m.tgt->model().vocabulary.size())),
        quantized != a.sections.end() ? quantized_weight_count(quantized->second, path)
                                      : stored_weight_count(a, path));
    if (a.sections.count(kShortlistSection)) {
      m.shortlist = parse_shortlist(a.get(kShortlistSection), m.network->config().src_vocab,
                                    m.network->config().tgt_vocab, path);
    }
  } catch (const Error& e) {
    throw Error("'" + path + "' is not a usable rnmt model: " + e.what());
  }
  if (quantized != a.sections.end()) {
    set_quantized_weights(m.network->params(), quantized->second, path);
  } else {
    get_weights(a, m.network->params(), path);
  }
  return m;
}

}  // namespace rnmt
