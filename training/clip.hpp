#pragma once
#include "core/params.hpp"

namespace rnmt {

// The L2 norm of all gradients together.
double gradient_norm(const ParamSet& params);

// The factor that brings a gradient of norm `norm` down to `max_norm` (1 when already within it or
// when max_norm <= 0, which disables clipping).
float clip_factor(double norm, double max_norm);

}  // namespace rnmt
