#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace rnmt {

// Initialisation follows PyTorch's defaults for the same layers (nn.Embedding, nn.LSTM/nn.GRU,
// nn.Linear), which the benchmarks' reference model uses. Measured on the Bible recipe: with
// Xavier/orthogonal weights and U(±0.1) embeddings the training loss sat near 6.5 for the first
// 350 steps; with these it is 5.45 at step 200, where PyTorch's is about 5.5.

// w[i] ~ U(-limit, limit) for i < n.
void init_uniform(float* w, int64_t n, float limit, Rng& rng);

// w[i] ~ N(0, 1) for i < n (embedding tables).
void init_normal(float* w, int64_t n, Rng& rng);

// The limit PyTorch's nn.Linear uses for weights and biases of a layer with fan_in inputs.
float linear_init_limit(int64_t fan_in);

}  // namespace rnmt
