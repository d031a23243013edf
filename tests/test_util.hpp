#pragma once
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace rnmt::test {

inline void fill_uniform(Tensor& t, Rng& rng, float limit) {
  for (size_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-limit, limit);
}

}  // namespace rnmt::test
