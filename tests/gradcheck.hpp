#pragma once
// Finite-difference gradient checks over a ParamSet. For each parameter the analytic gradient g is
// compared with central differences of the loss along (1) g's own direction, (2) a random
// direction, (3) single coordinates: the largest |g| entries, a few random ones, and every one of
// a small tensor (a bias, say), so that a block of g wrongly left at zero cannot hide.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace rnmt::test {

struct GradCheckOptions {
  double epsilon = 1e-2;
  double relative_tolerance = 2e-2;  // of the gradient norm along a direction; of |g_i| alone for
  double absolute_tolerance = 2e-4;  // a single coordinate (so that a halved block shows)
  int coordinates = 3;               // largest |g| entries checked one by one
  int random_coordinates = 3;        // and random ones
  size_t every_coordinate = 32;      // tensors this small are checked at every coordinate
};

// One disagreement between the analytic gradient and finite differences.
struct GradCheckFailure {
  std::string parameter, where;  // where: "gradient direction", "random direction", "coordinate i"
  double numeric = 0, analytic = 0, tolerance = 0;
};

inline std::vector<GradCheckFailure> find_gradient_errors(
    ParamSet& params, const std::function<double()>& loss,
    const std::function<void()>& compute_gradients, GradCheckOptions options = {}) {
  compute_gradients();
  std::vector<float> analytic(params.grads(), params.grads() + params.total());
  std::vector<GradCheckFailure> failures;
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
  for (Param& p : params.params()) {
    const float* g = analytic.data() + p.offset;
    double norm = 0;
    for (size_t i = 0; i < p.size; ++i) norm += static_cast<double>(g[i]) * g[i];
    norm = std::sqrt(norm);
    const double tolerance = options.relative_tolerance * norm + options.absolute_tolerance;
    auto compare = [&](const std::string& where, const std::vector<double>& dir, double expected,
                       double allowed) {
      const double numeric = directional(p, dir);
      if (!(std::abs(numeric - expected) <= allowed))
        failures.push_back({p.name, where, numeric, expected, allowed});
    };
    std::vector<double> dir(p.size);
    // (1) along the gradient: the derivative must be |g|
    if (norm > 0) {
      for (size_t i = 0; i < p.size; ++i) dir[i] = g[i] / norm;
      compare("gradient direction", dir, norm, tolerance);
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
    compare("random direction", dir, expected, tolerance);
    // (3) single coordinates: every one of a small tensor; else the largest and some random ones
    std::vector<size_t> coordinates(p.size);
    std::iota(coordinates.begin(), coordinates.end(), size_t{0});
    if (p.size > options.every_coordinate) {
      const size_t k = std::min<size_t>(static_cast<size_t>(options.coordinates), p.size);
      std::partial_sort(coordinates.begin(), coordinates.begin() + static_cast<long>(k),
                        coordinates.end(),
                        [&](size_t a, size_t b) { return std::abs(g[a]) > std::abs(g[b]); });
      coordinates.resize(k);
      for (int j = 0; j < options.random_coordinates; ++j) coordinates.push_back(rng.below(p.size));
    }
    for (size_t c : coordinates) {
      std::fill(dir.begin(), dir.end(), 0.0);
      dir[c] = 1;
      compare("coordinate " + std::to_string(c), dir, g[c],
              options.relative_tolerance * std::abs(g[c]) + options.absolute_tolerance);
    }
  }
  return failures;
}

// The check as a test: every disagreement is a failed assertion that says where it is.
inline void check_gradients(ParamSet& params, const std::function<double()>& loss,
                            const std::function<void()>& compute_gradients,
                            GradCheckOptions options = {}) {
  const auto failures = find_gradient_errors(params, loss, compute_gradients, options);
  for (const auto& f : failures) {
    INFO("parameter " << f.parameter << ", " << f.where << ": finite differences " << f.numeric
                      << ", analytic " << f.analytic << ", tolerance " << f.tolerance);
    CHECK(std::abs(f.numeric - f.analytic) <= f.tolerance);
  }
  CHECK(failures.empty());
}

}  // namespace rnmt::test
