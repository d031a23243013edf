#pragma once
#include <cstdint>

#include "model/seq2seq.hpp"
#include "recipe/recipe.hpp"
#include "rnmt/translator.hpp"

namespace rnmt {

// The network a recipe describes, for the given vocabulary sizes.
ModelConfig model_config(const Recipe& recipe, int64_t src_vocab, int64_t tgt_vocab);

// The translation settings a recipe's translate section chose.
TranslationOptions translation_options(const Recipe& recipe);

}  // namespace rnmt
