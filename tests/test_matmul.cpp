// The cached oneDNN matmul against a plain triple loop: transposes, batches with strides,
// accumulation and bias.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/matmul.hpp"
#include "core/packed_matmul.hpp"
#include "core/rng.hpp"
#include "tests/skip.hpp"

using namespace rnmt;

namespace {

std::vector<float> random_vector(size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(-1, 1);
  return v;
}

void check_against_loops(const GemmShape& s, bool with_bias) {
  Rng rng(5);
  const auto span = [](int64_t batch, int64_t bstride, int64_t r, int64_t rs, int64_t c,
                       int64_t cs) {
    return static_cast<size_t>((batch - 1) * bstride + (r - 1) * rs + (c - 1) * cs + 1);
  };
  auto a = random_vector(span(s.batch, s.a_batch, s.m, s.a_row, s.k, s.a_col), rng);
  auto b = random_vector(span(s.batch, s.b_batch, s.k, s.b_row, s.n, s.b_col), rng);
  auto bias = random_vector(static_cast<size_t>(s.n), rng);
  auto c = random_vector(span(s.batch, s.c_batch, s.m, s.c_row, s.n, s.c_col), rng);
  auto expected = c;
  // bf16 keeps 8 significant bits: each product is off by at most about 2^-8 of |a||b|.
  std::vector<double> margin(c.size(), 1e-4);
  for (int64_t p = 0; p < s.batch; ++p) {
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        double sum = with_bias ? bias[static_cast<size_t>(j)] : 0.0, magnitude = 0;
        for (int64_t k = 0; k < s.k; ++k) {
          const double product =
              static_cast<double>(
                  a[static_cast<size_t>(p * s.a_batch + i * s.a_row + k * s.a_col)]) *
              b[static_cast<size_t>(p * s.b_batch + k * s.b_row + j * s.b_col)];
          sum += product;
          magnitude += std::abs(product);
        }
        const auto at = static_cast<size_t>(p * s.c_batch + i * s.c_row + j * s.c_col);
        expected[at] = static_cast<float>(s.accumulate ? expected[at] + sum : sum);
        if (s.bf16) margin[at] = magnitude / 128;
      }
    }
  }
  matmul(s, a.data(), b.data(), c.data(), with_bias ? bias.data() : nullptr);
  for (int64_t p = 0; p < s.batch; ++p) {
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        const auto at = static_cast<size_t>(p * s.c_batch + i * s.c_row + j * s.c_col);
        REQUIRE(c[at] == Approx(expected[at]).margin(margin[at]));
      }
    }
  }
}

}  // namespace

TEST_CASE("2-D matmul with every transpose, accumulation and bias", "[matmul]") {
  const bool ta = GENERATE(false, true), tb = GENERATE(false, true);
  const bool acc = GENERATE(false, true), bias = GENERATE(false, true);
  GemmShape s{.m = 7, .n = 5, .k = 9};
  s.a_row = ta ? 1 : 9, s.a_col = ta ? 7 : 1;
  s.b_row = tb ? 1 : 5, s.b_col = tb ? 9 : 1;
  s.c_row = 5, s.accumulate = acc, s.has_bias = bias;
  check_against_loops(s, bias);
}

namespace {
// dWᵀ [in=9, out=7] (+)= xᵀ · dy with x [rows=11, 9], dy [11, 7], dW [7, 9]: as Linear's bf16
// weight gradient runs.
void check_transposed_c(bool accumulate, bool bf16) {
  GemmShape s{.m = 9, .n = 7, .k = 11};
  s.a_row = 1, s.a_col = 9;
  s.b_row = 7, s.b_col = 1;
  s.c_row = 1, s.c_col = 9, s.accumulate = accumulate, s.bf16 = bf16;
  check_against_loops(s, false);
}
}  // namespace

TEST_CASE("matmul into a transposed C, written or added", "[matmul]") {
  check_transposed_c(GENERATE(false, true), false);
}

TEST_CASE("a transposed C in a batched matmul is refused", "[matmul][errors]") {
  GemmShape s{.batch = 2, .m = 3, .n = 4, .k = 5};
  s.a_batch = 15, s.a_row = 5, s.b_batch = 20, s.b_row = 4, s.c_row = 1, s.c_col = 3;
  std::vector<float> a(30), b(40), c(24);
  CHECK_THROWS_WITH(matmul(s, a.data(), b.data(), c.data()),
                    Catch::Matchers::Contains("a transposed C needs batch 1"));
}

TEST_CASE("bf16 matmul into a transposed C, written or added", "[matmul][bf16]") {
  if (!bf16_supported()) {
    test::skip_test("this CPU has no bf16 matmul (AVX-512 BF16 or AMX)");
    return;
  }
  check_transposed_c(GENERATE(false, true), true);
}

TEST_CASE("batched matmul over time-major strided operands", "[matmul]") {
  // Queries [T=3, N=4, Q=6] against keys [S=5, N=4, Q=6] transposed: the attention score layout.
  const int64_t T = 3, N = 4, Q = 6, S = 5;
  GemmShape s{.batch = N, .m = T, .n = S, .k = Q};
  s.a_batch = Q, s.a_row = N * Q, s.a_col = 1;
  s.b_batch = Q, s.b_row = 1, s.b_col = N * Q;
  s.c_batch = S, s.c_row = N * S;
  s.accumulate = GENERATE(0, 1);
  check_against_loops(s, false);
}

TEST_CASE("bf16 training matmul: every transpose, batches, accumulation, bias", "[matmul]") {
  if (!bf16_supported()) {
    test::skip_test("this CPU has no bf16 matmul (AVX-512 BF16 or AMX)");
    return;
  }
  const bool ta = GENERATE(false, true), tb = GENERATE(false, true), acc = GENERATE(false, true);
  GemmShape s{.m = 37, .n = 21, .k = 45};
  s.a_row = ta ? 1 : 45, s.a_col = ta ? 37 : 1;
  s.b_row = tb ? 1 : 21, s.b_col = tb ? 45 : 1;
  s.c_row = 21, s.accumulate = acc, s.has_bias = !acc, s.bf16 = 1;
  check_against_loops(s, !acc);
  // The attention score layout, batched over time-major strided operands.
  const int64_t T = 3, N = 4, Q = 6, S = 5;
  GemmShape batched{.batch = N, .m = T, .n = S, .k = Q};
  batched.a_batch = Q, batched.a_row = N * Q, batched.a_col = 1;
  batched.b_batch = Q, batched.b_row = 1, batched.b_col = N * Q;
  batched.c_batch = S, batched.c_row = N * S, batched.accumulate = acc, batched.bf16 = 1;
  check_against_loops(batched, false);
}

TEST_CASE("packed inference matmul: x·Wᵀ + b for several row counts, weights repacked on change",
          "[matmul]") {
  const int64_t n = 70, k = 33;  // sizes that fit no block evenly
  const bool with_bias = GENERATE(false, true);
  Rng rng(9);
  auto w = random_vector(static_cast<size_t>(n * k), rng);
  auto bias = random_vector(static_cast<size_t>(n), rng);
  PackedMatmul packed(n, k, with_bias);
  uint64_t version = 1;
  for (int round = 0; round < 2; ++round) {
    for (int64_t m : {1, 8, 3, 64, 8}) {  // a row count seen before reuses its primitive
      const auto x = random_vector(static_cast<size_t>(m * k), rng);
      std::vector<float> y(static_cast<size_t>(m * n), 123.0f);
      packed.forward(x.data(), m, w.data(), with_bias ? bias.data() : nullptr, version, y.data());
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double sum = with_bias ? bias[static_cast<size_t>(j)] : 0.0;
          for (int64_t c = 0; c < k; ++c)
            sum += static_cast<double>(x[static_cast<size_t>(i * k + c)]) *
                   w[static_cast<size_t>(j * k + c)];
          INFO("round " << round << " m " << m << " (" << i << ", " << j << ")");
          REQUIRE(y[static_cast<size_t>(i * n + j)] == Approx(sum).margin(1e-4));
        }
      }
    }
    // New weight values under a new version: the packed copy must follow them.
    for (auto& v : w) v = -v * 0.5f;
    ++version;
  }
}

TEST_CASE("packed inference matmul in bf16: f32 results within bf16 rounding", "[matmul]") {
  if (!bf16_supported()) {
    // What this CPU can check: bf16 is refused with a message naming what is missing.
    CHECK_THROWS_WITH(PackedMatmul(4, 4, false)
                          .forward(nullptr, 1, nullptr, nullptr, 1, nullptr, ComputeType::bf16),
                      Catch::Matchers::Contains("needs a CPU with AVX-512 BF16 or AMX"));
    test::skip_test("this CPU has no bf16 matmul (AVX-512 BF16 or AMX)");
    return;
  }
  const int64_t n = 70, k = 33, m = 9;
  Rng rng(10);
  const auto w = random_vector(static_cast<size_t>(n * k), rng);
  const auto bias = random_vector(static_cast<size_t>(n), rng);
  const auto x = random_vector(static_cast<size_t>(m * k), rng);
  PackedMatmul packed(n, k, true);
  std::vector<float> exact(static_cast<size_t>(m * n)), rounded(exact.size());
  packed.forward(x.data(), m, w.data(), bias.data(), 1, exact.data(), ComputeType::f32);
  packed.forward(x.data(), m, w.data(), bias.data(), 1, rounded.data(), ComputeType::bf16);
  double worst = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      // bf16 keeps 8 significant bits: each product is off by at most about 2^-8 of |x||w|.
      double bound = 0;
      for (int64_t c = 0; c < k; ++c)
        bound += std::abs(x[static_cast<size_t>(i * k + c)] * w[static_cast<size_t>(j * k + c)]);
      const auto at = static_cast<size_t>(i * n + j);
      REQUIRE(std::abs(rounded[at] - exact[at]) <= bound / 128);
      worst = std::max(worst, static_cast<double>(std::abs(rounded[at] - exact[at])));
    }
  }
  CHECK(worst > 0);  // it really computed in bf16
}

TEST_CASE("packed inference matmul in int8: within the quantisation's bound of f32", "[matmul]") {
  if (!int8_supported()) {
    CHECK_THROWS_WITH(PackedMatmul(4, 4, false)
                          .forward(nullptr, 1, nullptr, nullptr, 1, nullptr, ComputeType::int8),
                      Catch::Matchers::Contains("int8 computation needs a CPU with AVX2"));
    test::skip_test("this CPU has no s8 matmul in oneDNN");
    return;
  }
  const int64_t n = 70, k = 33;
  Rng rng(11);
  auto w = random_vector(static_cast<size_t>(n * k), rng);
  const auto bias = random_vector(static_cast<size_t>(n), rng);
  for (int64_t c = 0; c < k; ++c) w[static_cast<size_t>(5 * k + c)] = 0;  // an all-zero row
  PackedMatmul packed(n, k, true);
  for (int64_t m : {1, 9}) {
    for (uint64_t version : {1, 2}) {
      if (version == 2)
        for (auto& v : w) v = v * -3.0f;  // new values under a new version: quantised again
      auto x = random_vector(static_cast<size_t>(m * k), rng);
      x[0] = 4.0f;  // one large input sets the call's scale
      std::vector<float> exact(static_cast<size_t>(m * n)), quantized(exact.size());
      packed.forward(x.data(), m, w.data(), bias.data(), version, exact.data(), ComputeType::f32);
      packed.forward(x.data(), m, w.data(), bias.data(), version, quantized.data(),
                     ComputeType::int8);
      float x_max = 0;
      for (float v : x) x_max = std::max(x_max, std::abs(v));
      int64_t moved = 0;
      for (int64_t j = 0; j < n; ++j) {
        float w_max = 0;
        for (int64_t c = 0; c < k; ++c)
          w_max = std::max(w_max, std::abs(w[static_cast<size_t>(j * k + c)]));
        // Rounding moves each input by at most x_max/254 and each weight by w_max/254.
        const double dx = x_max / 254.0, dw = w_max / 254.0;
        for (int64_t i = 0; i < m; ++i) {
          double bound = 1e-4;
          for (int64_t c = 0; c < k; ++c) {
            bound += std::abs(x[static_cast<size_t>(i * k + c)]) * dw +
                     std::abs(w[static_cast<size_t>(j * k + c)]) * dx + dx * dw;
          }
          const auto at = static_cast<size_t>(i * n + j);
          INFO("m " << m << " version " << version << " (" << i << ", " << j << ")");
          REQUIRE(std::abs(quantized[at] - exact[at]) <= bound);
          moved += quantized[at] != exact[at];
        }
      }
      CHECK(moved > 0);  // it did compute in int8
    }
  }
}
