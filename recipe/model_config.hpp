#pragma once
#include <cstdint>

#include "model/seq2seq.hpp"
#include "recipe/recipe.hpp"

namespace rnmt {

// The network a recipe describes, for the given vocabulary sizes.
ModelConfig model_config(const Recipe& recipe, int64_t src_vocab, int64_t tgt_vocab);

}  // namespace rnmt
