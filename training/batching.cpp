#include "training/batching.hpp"

#include <algorithm>
#include <numeric>

namespace rnmt {

std::vector<PairLength> pair_lengths(const ParallelData& data) {
  std::vector<PairLength> lengths(data.src.size());
  for (size_t i = 0; i < lengths.size(); ++i)
    lengths[i] = {static_cast<int32_t>(data.src[i].size()),
                  static_cast<int32_t>(data.tgt[i].size())};
  return lengths;
}

std::vector<std::vector<int64_t>> bucketed_batches(const ParallelData& data, int64_t batch_size,
                                                   int64_t pool, Rng& rng, int64_t max_tokens) {
  return bucketed_batches(pair_lengths(data), batch_size, pool, rng, max_tokens);
}

std::vector<std::vector<int64_t>> bucketed_batches(const std::vector<PairLength>& lengths,
                                                   int64_t batch_size, int64_t pool, Rng& rng,
                                                   int64_t max_tokens) {
  std::vector<int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  auto shuffle = [&](auto& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  };
  shuffle(order);
  auto length = [&](int64_t i) {  // padded positions one pair needs: its longer side (+ </s>)
    const PairLength& l = lengths[static_cast<size_t>(i)];
    return static_cast<int64_t>(std::max(l.src, l.tgt + 1));
  };
  if (max_tokens > 0) {
    double mean = 0;
    for (int64_t i : order)
      mean += static_cast<double>(length(i)) / static_cast<double>(order.size());
    batch_size = std::max<int64_t>(
        1, static_cast<int64_t>(static_cast<double>(max_tokens) / std::max(1.0, mean)));
  }
  std::vector<std::vector<int64_t>> batches;
  const auto pool_size = static_cast<size_t>(batch_size * pool);
  for (size_t p = 0; p < order.size(); p += pool_size) {
    auto begin = order.begin() + static_cast<long>(p);
    auto end = order.begin() + static_cast<long>(std::min(order.size(), p + pool_size));
    std::stable_sort(begin, end, [&](int64_t a, int64_t b) {
      const PairLength& la = lengths[static_cast<size_t>(a)];
      const PairLength& lb = lengths[static_cast<size_t>(b)];
      if (la.src != lb.src) return la.src < lb.src;
      return la.tgt < lb.tgt;
    });
    for (auto it = begin; it < end;) {
      auto stop = it + 1;
      if (max_tokens > 0) {
        int64_t longest = length(*it);
        while (stop < end && (stop - it + 1) * std::max(longest, length(*stop)) <= max_tokens) {
          longest = std::max(longest, length(*stop));
          ++stop;
        }
      } else {
        stop = it + std::min<long>(batch_size, end - it);
      }
      batches.emplace_back(it, stop);
      it = stop;
    }
  }
  shuffle(batches);
  return batches;
}

Batch batch_of(const ParallelData& data, const std::vector<int64_t>& indices) {
  std::vector<const Sentence*> s, t;
  for (int64_t i : indices) {
    s.push_back(&data.src[static_cast<size_t>(i)]);
    t.push_back(&data.tgt[static_cast<size_t>(i)]);
  }
  return make_batch(s, t);
}

}  // namespace rnmt
