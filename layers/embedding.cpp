#include "layers/embedding.hpp"

#include <cstring>

#include "core/init.hpp"
#include "core/parallel.hpp"

namespace rnmt {

Embedding::Embedding(ParamSet& params, const std::string& name, int64_t vocab_size,
                     int64_t dimension)
    : table(&params.add(name, {vocab_size, dimension})), vocab(vocab_size), dim(dimension) {}

void Embedding::init(Rng& rng, bool shared_with_output) {
  // A table that is also the output layer's weight starts as that layer would (tanh-bounded
  // states times N(0, 1) rows would give logits far too large).
  if (shared_with_output) {
    init_uniform(table->w, vocab * dim, linear_init_limit(dim), rng);
  } else {
    init_normal(table->w, vocab * dim, rng);
  }
  std::memset(table->w, 0, sizeof(float) * static_cast<size_t>(dim));
}

void Embedding::forward(const int32_t* ids, int64_t n, float* out, int64_t stride) const {
  if (stride == 0) stride = dim;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out + i * stride, table->w + static_cast<int64_t>(ids[i]) * dim,
                sizeof(float) * static_cast<size_t>(dim));
  }
}

void Embedding::backward(const int32_t* ids, int64_t n, const float* dout) {
  // Threads split the columns, not the rows: repeated ids then never race.
#pragma omp parallel
  {
    const auto [begin, end] = thread_share(dim);
    for (int64_t i = 0; i < n; ++i) {
      if (ids[i] == 0) continue;
      float* g = table->g + static_cast<int64_t>(ids[i]) * dim;
      const float* d = dout + i * dim;
      for (int64_t j = begin; j < end; ++j) g[j] += d[j];
    }
  }
}

}  // namespace rnmt
