#pragma once
#include <cstdint>

#include "model/batch.hpp"
#include "shortlist/shortlist.hpp"

namespace rnmt {

// Learns a shortlist from token-id pairs with IBM Model 1 (Brown et al., 1993): translation
// probabilities p(target piece | source piece) by expectation-maximisation, each target piece of a
// pair aligned to one of the pair's source pieces or to none (the empty word, which takes up
// function words). Each source piece keeps its `translations` most probable target pieces, of
// those it was seen with. Deterministic: no randomness, and the same order on every machine.
// (Debian has no fast_align, which Marian's shortlists come from; Model 1 is its first step.)
Shortlist learn_shortlist(const ParallelData& data, const ShortlistLearning& options);

}  // namespace rnmt
