#pragma once
// A small model file for tests: a recipe, two tokenizers and a randomly initialised network.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/archive.hpp"
#include "model_file/model_file.hpp"
#include "model_file/weights.hpp"
#include "recipe/model_config.hpp"
#include "tests/temp_dir.hpp"

namespace rnmt::test {

inline std::string tokenizer_text(const std::vector<std::string>& pieces) {
  TokenizerModel m;
  m.bpe = true;
  for (const char* s : Vocabulary::kSpecials) m.vocabulary.add(s);
  for (const auto& p : pieces) m.vocabulary.add(p);
  const std::string path = temp("tok");
  save_tokenizer(m, path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ModelFile {
  Recipe recipe;
  std::string src_tok = tokenizer_text({"a", "b", "c"}),
              tgt_tok = tokenizer_text({"x", "y", "z", "w"});
  std::unique_ptr<Seq2Seq> network;
  std::string shortlist;  // shortlist_bytes, or empty: none
  explicit ModelFile(const std::string& recipe_text =
                         "workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
                         "{hidden: 10}}\n") {
    recipe = parse_recipe(recipe_text, "r.yaml", {}, false);
    network = std::make_unique<Seq2Seq>(model_config(recipe, 7, 8), 3);
  }
  Archive archive() const {
    return model_archive(
        {dump_recipe(recipe), src_tok, tgt_tok, weight_bytes(network->params()), shortlist});
  }
};

}  // namespace rnmt::test
