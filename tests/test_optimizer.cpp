// Adam and gradient clipping against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

#include "training/adam.hpp"
#include "training/clip.hpp"

using namespace rnmt;

TEST_CASE("Adam follows PyTorch's update with bias correction", "[optimizer]") {
  ParamSet params;
  Param& p = params.add("p", {3});
  params.allocate();
  const float start[3] = {0.5f, -1.0f, 2.0f};
  for (int i = 0; i < 3; ++i) p.w[i] = start[i];
  Adam adam;
  const float lr = 0.1f;
  double w[3] = {0.5, -1.0, 2.0}, m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
  const uint64_t version = params.version();
  for (int step = 1; step <= 3; ++step) {
    for (int i = 0; i < 3; ++i)
      p.g[i] = static_cast<float>((i + 1) * step) * (i == 1 ? -1.0f : 1.0f);
    adam.step(params, lr);
    for (int i = 0; i < 3; ++i) {
      const double g = p.g[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      const double mh = m[i] / (1 - std::pow(0.9, step)), vh = v[i] / (1 - std::pow(0.999, step));
      w[i] -= lr * mh / (std::sqrt(vh) + 1e-8);
      CHECK(p.w[i] == Approx(w[i]).epsilon(1e-5));
    }
  }
  CHECK(adam.steps() == 3);
  CHECK(params.version() != version);  // layers learn that reordered weights are stale
}

TEST_CASE("global gradient norm and the clipping factor", "[optimizer]") {
  ParamSet params;
  Param& a = params.add("a", {2});
  Param& b = params.add("b", {1});
  params.allocate();
  a.g[0] = 3;
  a.g[1] = 0;
  b.g[0] = 4;
  const double norm = gradient_norm(params);
  CHECK(norm == Approx(5.0));
  CHECK(clip_factor(norm, 10) == 1.0f);
  CHECK(clip_factor(norm, 0) == 1.0f);  // disabled
  CHECK(clip_factor(norm, 1) == Approx(0.2).epsilon(1e-5));
  // Adam with the factor equals Adam on pre-scaled gradients.
  ParamSet other;
  Param& c = other.add("a", {2});
  Param& d = other.add("b", {1});
  other.allocate();
  c.g[0] = 0.6f, c.g[1] = 0, d.g[0] = 0.8f;
  Adam x, y;
  x.step(params, 0.01f, clip_factor(norm, 1));
  y.step(other, 0.01f);
  CHECK(a.w[0] == Approx(c.w[0]));
  CHECK(b.w[0] == Approx(d.w[0]));
}
