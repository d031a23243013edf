#pragma once
#include <vector>

#include "decoding/search.hpp"

namespace rnmt {

// Greedy search: each row takes its most probable next token (of equal ones the lowest id) until
// it takes </s> or reaches its length limit. One hypothesis per sentence.
std::vector<std::vector<Hypothesis>> greedy_search(Ensemble& model, const SearchOptions& options);

}  // namespace rnmt
