#pragma once
// Finite-difference gradient checks over a ParamSet. For each parameter the analytic gradient g is
// compared with central differences of the loss along (1) g's own direction, (2) a random
// direction, and (3) single coordinates at the largest |g| entries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace rnmt::test {

struct GradCheckOptions {
  double epsilon = 1e-2;
  double relative_tolerance = 2e-2;  // of the parameter's gradient norm
  double absolute_tolerance = 2e-4;
  int coordinates = 3;
};

inline void check_gradients(ParamSet& params, const std::function<double()>& loss,
                            const std::function<void()>& compute_gradients,
                            GradCheckOptions options = {}) {
  compute_gradients();
  std::vector<float> analytic(params.grads(), params.grads() + params.total());
  Rng rng(99);
  // Loss change along direction `dir` (same length as the parameter) through central differences.
  auto directional = [&](Param& p, const std::vector<double>& dir) {
    std::vector<float> saved(p.w, p.w + p.size);
    auto eval = [&](double sign) {
      for (size_t i = 0; i < p.size; ++i)
        p.w[i] = static_cast<float>(saved[i] + sign * options.epsilon * dir[i]);
      params.touch();
      return loss();
    };
    const double plus = eval(1), minus = eval(-1);
    std::copy(saved.begin(), saved.end(), p.w);
    params.touch();
    return (plus - minus) / (2 * options.epsilon);
  };
  int checked = 0;
  for (Param& p : params.params()) {
    const float* g = analytic.data() + p.offset;
    double norm = 0;
    for (size_t i = 0; i < p.size; ++i) norm += static_cast<double>(g[i]) * g[i];
    norm = std::sqrt(norm);
    const double tolerance = options.relative_tolerance * norm + options.absolute_tolerance;
    INFO("parameter " << p.name << " |g| = " << norm);
    std::vector<double> dir(p.size);
    // (1) along the gradient: the derivative must be |g|
    if (norm > 0) {
      for (size_t i = 0; i < p.size; ++i) dir[i] = g[i] / norm;
      CHECK(std::abs(directional(p, dir) - norm) <= tolerance);
    }
    // (2) a random unit direction
    double dnorm = 0;
    for (auto& d : dir) {
      d = rng.normal();
      dnorm += d * d;
    }
    double expected = 0;
    for (size_t i = 0; i < p.size; ++i) {
      dir[i] /= std::sqrt(dnorm);
      expected += dir[i] * g[i];
    }
    CHECK(std::abs(directional(p, dir) - expected) <= tolerance);
    // (3) single coordinates with the largest gradients
    std::vector<size_t> order(p.size);
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t k = std::min<size_t>(static_cast<size_t>(options.coordinates), p.size);
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(k), order.end(),
                      [&](size_t a, size_t b) { return std::abs(g[a]) > std::abs(g[b]); });
    for (size_t j = 0; j < k; ++j) {
      std::fill(dir.begin(), dir.end(), 0.0);
      dir[order[j]] = 1;
      INFO("coordinate " << order[j]);
      CHECK(std::abs(directional(p, dir) - g[order[j]]) <= tolerance);
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(params.params().size()));
}

}  // namespace rnmt::test
