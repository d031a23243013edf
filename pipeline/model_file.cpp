#include "pipeline/model_file.hpp"

#include <cstring>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "pipeline/model_config.hpp"

namespace rnmt {

LoadedModel load_model(const std::string& path) {
  return load_model(read_archive(path, "RNMTMODL", 1), path);
}

LoadedModel load_model(const Archive& a, const std::string& path) {
  LoadedModel m;
  try {
    m.recipe = parse_recipe(a.get("recipe"), path + " (recipe)", {}, false);
    m.src = std::make_unique<Tokenizer>(
        parse_tokenizer(a.get("src_tokenizer"), path + " (source tokenizer)"));
    m.tgt = std::make_unique<Tokenizer>(
        parse_tokenizer(a.get("tgt_tokenizer"), path + " (target tokenizer)"));
    const std::string& weights = a.get("params");
    m.network = Seq2Seq::for_inference(
        model_config(m.recipe, static_cast<int64_t>(m.src->model().vocabulary.size()),
                     static_cast<int64_t>(m.tgt->model().vocabulary.size())),
        weights.size() % sizeof(float) == 0 ? weights.size() / sizeof(float) : 0);
  } catch (const Error& e) {
    throw Error("'" + path + "' is not a usable rnmt model: " + e.what());
  }
  const std::string& weights = a.get("params");
  ParamSet& params = m.network->params();
  std::memcpy(params.values(), weights.data(), weights.size());
  params.touch();
  return m;
}

}  // namespace rnmt
