#pragma once
#include <vector>

#include "decoding/search.hpp"

namespace rnmt {

// Beam search with Marian's width rule: a sentence keeps `beam` live hypotheses at first and one
// fewer for each that finishes (ends in </s>), so it ends only when its best live hypothesis has
// ended too; finished hypotheses rank by log p / length^alpha.
std::vector<std::vector<Hypothesis>> beam_search(Ensemble& model, const SearchOptions& options);

}  // namespace rnmt
