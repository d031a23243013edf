#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "decoding/search.hpp"

namespace rnmt {

// Random sampling: n_best independent samples per sentence, each token drawn from the model's
// distribution shaped by the options' temperature, top-k and top-p. A sample's score is the
// model's own log-probability of it (untempered, over the whole vocabulary), length-normalised
// as search's are; samples come best first. Sample h of a sentence draws from
// Rng(sample_seed(sentence seed, h)), so it depends on nothing else.
std::vector<std::vector<Hypothesis>> sample_search(Ensemble& model, const SearchOptions& options);

// The tokens a draw may pick from one row of logits z [V] and their probabilities (summing to 1),
// most probable first: softmax(z / temperature) restricted to the topk most probable (0: all),
// then to the smallest most-probable prefix whose probability reaches topp. Temperature 0 keeps
// only the most probable token (of equal ones the lowest id).
void sampling_candidates(const float* z, int64_t V, int64_t topk, double topp, double temperature,
                         std::vector<int32_t>& ids, std::vector<double>& probabilities);

// A token from candidates (probabilities summing to 1) with one uniform draw.
int32_t draw_token(const std::vector<int32_t>& ids, const std::vector<double>& probabilities,
                   Rng& rng);

uint64_t sample_seed(uint64_t sentence_seed, int64_t sample);

}  // namespace rnmt
