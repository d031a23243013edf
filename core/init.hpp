#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace rnmt {

// Fills n values uniformly in [-limit, limit].
void init_uniform(float* w, int64_t n, float limit, Rng& rng);

// Xavier/Glorot uniform for a matrix mapping fan_in inputs to fan_out outputs.
void init_xavier(float* w, int64_t fan_in, int64_t fan_out, Rng& rng);

// A rows x cols block with orthonormal columns (rows >= cols) or rows, written with row stride ld:
// the usual start for recurrent matrices, so repeated application neither explodes nor vanishes.
void init_orthogonal(float* w, int64_t rows, int64_t cols, int64_t ld, Rng& rng);

}  // namespace rnmt
