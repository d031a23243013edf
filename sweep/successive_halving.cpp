#include "sweep/successive_halving.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rnmt {

int64_t rung_steps(const Halving& halving, int rung) {
  int64_t steps = halving.min_steps;
  for (int r = 0; r < rung; ++r) {
    if (halving.max_steps > 0 && steps >= halving.max_steps) break;
    steps *= halving.eta;
  }
  return halving.max_steps > 0 ? std::min(steps, halving.max_steps) : steps;
}

bool is_last_rung(const Halving& halving, int rung, size_t trials) {
  return trials <= 1 || (halving.max_steps > 0 && rung_steps(halving, rung) >= halving.max_steps);
}

std::vector<size_t> promoted_trials(const std::vector<double>& scores, int64_t eta) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (std::isnan(scores[a]) || std::isnan(scores[b]))
      return !std::isnan(scores[a]) && std::isnan(scores[b]);
    return scores[a] > scores[b];
  });
  const size_t keep = std::max<size_t>(1, scores.size() / static_cast<size_t>(eta));
  order.resize(std::min(keep, order.size()));
  return order;
}

}  // namespace rnmt
