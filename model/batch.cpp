#include "model/batch.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace rnmt {

Batch make_batch(const std::vector<const Sentence*>& sources,
                 const std::vector<const Sentence*>& targets) {
  if (sources.size() != targets.size() || sources.empty()) {
    throw Error("make_batch: " + std::to_string(sources.size()) + " sources and " +
                std::to_string(targets.size()) + " targets");
  }
  Batch b;
  b.N = static_cast<int64_t>(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i]->empty()) throw Error("make_batch: empty source sentence");
    b.S = std::max<int64_t>(b.S, static_cast<int64_t>(sources[i]->size()));
    b.T = std::max<int64_t>(b.T, static_cast<int64_t>(targets[i]->size()) + 1);
  }
  b.src.assign(static_cast<size_t>(b.S * b.N), kPad);
  b.tgt_in.assign(static_cast<size_t>(b.T * b.N), kPad);
  b.tgt_out.assign(static_cast<size_t>(b.T * b.N), kPad);
  for (int64_t n = 0; n < b.N; ++n) {
    const Sentence& s = *sources[static_cast<size_t>(n)];
    const Sentence& y = *targets[static_cast<size_t>(n)];
    const auto len = static_cast<int64_t>(s.size()), m = static_cast<int64_t>(y.size());
    b.src_lengths.push_back(static_cast<int32_t>(len));
    for (int64_t t = 0; t < len; ++t)
      b.src[static_cast<size_t>(t * b.N + n)] = s[static_cast<size_t>(t)];
    b.tgt_in[static_cast<size_t>(n)] = kBos;
    for (int64_t t = 0; t < m; ++t) {
      b.tgt_in[static_cast<size_t>((t + 1) * b.N + n)] = y[static_cast<size_t>(t)];
      b.tgt_out[static_cast<size_t>(t * b.N + n)] = y[static_cast<size_t>(t)];
    }
    b.tgt_out[static_cast<size_t>(m * b.N + n)] = kEos;
    b.src_tokens += len;
    b.tgt_tokens += m + 1;
  }
  return b;
}

}  // namespace rnmt
