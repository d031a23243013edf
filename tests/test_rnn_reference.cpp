// oneDNN's LSTM and GRU layers against the plain C++ reference cells, on a padded batch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/params.hpp"
#include "reference/rnn_reference.hpp"
#include "rnn/rnn_layer.hpp"
#include "test_util.hpp"
#include "tests/skip.hpp"

using namespace rnmt;

namespace {

void check_layer_against_reference(Cell cell) {
  const int64_t T = 5, N = 3, I = 4, H = 6;
  ParamSet params;
  RnnLayer layer(params, "rnn", cell, I, H);
  params.allocate();
  Rng rng(7);
  layer.init(rng);
  // Non-trivial biases so every gate term matters.
  const int64_t B = bias_gates(cell) * H;
  for (int64_t i = 0; i < B; ++i) layer.bias().w[i] = rng.uniform(-0.5f, 0.5f);

  Tensor x({T, N, I}), h0({N, H}), c0({N, H}), y({T, N, H}), hT({N, H}), cT({N, H});
  test::fill_uniform(x, rng, 1.0f);
  test::fill_uniform(h0, rng, 0.5f);
  test::fill_uniform(c0, rng, 0.5f);
  Tensor ws({static_cast<int64_t>(layer.workspace_floats(T, N))});
  layer.forward({.T = T,
                 .N = N,
                 .x = x.data(),
                 .h0 = h0.data(),
                 .c0 = cell == Cell::lstm ? c0.data() : nullptr,
                 .y = y.data(),
                 .hT = hT.data(),
                 .cT = cell == Cell::lstm ? cT.data() : nullptr,
                 .workspace = ws.data()});

  for (int64_t n = 0; n < N; ++n) {
    // The reference runs each row alone, time-major rows gathered into one sequence.
    std::vector<float> seq;
    for (int64_t t = 0; t < T; ++t)
      seq.insert(seq.end(), &x[(t * N + n) * I], &x[(t * N + n) * I] + I);
    std::vector<double> h(&h0[n * H], &h0[n * H] + H), c(&c0[n * H], &c0[n * H] + H);
    auto ref = cell == Cell::lstm
                   ? reference::lstm_sequence(seq.data(), T, I, H, layer.weights_layer().w,
                                              layer.weights_iter().w, layer.bias().w, h, c)
                   : reference::gru_sequence(seq.data(), T, I, H, layer.weights_layer().w,
                                             layer.weights_iter().w, layer.bias().w, h);
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t j = 0; j < H; ++j) {
        CHECK(y[(t * N + n) * H + j] == Approx(ref[static_cast<size_t>(t * H + j)]).margin(1e-5));
      }
    }
    for (int64_t j = 0; j < H; ++j) {
      CHECK(hT[n * H + j] == Approx(h[static_cast<size_t>(j)]).margin(1e-5));
      if (cell == Cell::lstm)
        CHECK(cT[n * H + j] == Approx(c[static_cast<size_t>(j)]).margin(1e-5));
    }
  }
}

}  // namespace

TEST_CASE("oneDNN LSTM layer matches the reference LSTM cell", "[rnn][reference]") {
  check_layer_against_reference(Cell::lstm);
}

TEST_CASE("oneDNN linear-before-reset GRU layer matches the reference GRU cell",
          "[rnn][reference]") {
  check_layer_against_reference(Cell::gru);
}

// int8 inference (u8 inputs, s8 weights per gate and channel) against the reference cell in
// double: each output within the quantisation's error, and not equal to f32 (the int8 path ran).
TEST_CASE("int8 LSTM inference stays within its quantisation error of the reference",
          "[rnn][reference]") {
  if (!int8_supported()) {
    test::skip_test(kInt8Unsupported);
    return;
  }
  const int64_t T = 12, N = 4, I = 64, H = 128;
  const float input_bound = 3.0f;  // as embeddings are: beyond the hidden states' 1
  ParamSet params;
  RnnLayer layer(params, "rnn", Cell::lstm, I, H);
  params.allocate();
  Rng rng(11);
  layer.init(rng);
  layer.set_int8_input_bound(input_bound);
  Tensor x({T, N, I}), h0({N, H}), c0({N, H}), y8({T, N, H}), y32({T, N, H}), hT({N, H}),
      cT({N, H});
  test::fill_uniform(x, rng, input_bound);
  test::fill_uniform(h0, rng, 0.9f);
  test::fill_uniform(c0, rng, 1.0f);
  RnnForward call{.T = T,
                  .N = N,
                  .x = x.data(),
                  .h0 = h0.data(),
                  .c0 = c0.data(),
                  .y = y8.data(),
                  .hT = hT.data(),
                  .cT = cT.data()};
  layer.forward_inference(call, ComputeType::int8);
  call.y = y32.data();
  layer.forward_inference(call, ComputeType::f32);
  double worst = 0, total = 0, differs = 0;
  for (int64_t n = 0; n < N; ++n) {
    std::vector<float> seq;
    for (int64_t t = 0; t < T; ++t)
      seq.insert(seq.end(), &x[(t * N + n) * I], &x[(t * N + n) * I] + I);
    std::vector<double> h(&h0[n * H], &h0[n * H] + H), c(&c0[n * H], &c0[n * H] + H);
    const auto ref = reference::lstm_sequence(seq.data(), T, I, H, layer.weights_layer().w,
                                              layer.weights_iter().w, layer.bias().w, h, c);
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t j = 0; j < H; ++j) {
        const double e = std::fabs(y8[(t * N + n) * H + j] - ref[static_cast<size_t>(t * H + j)]);
        worst = std::max(worst, e);
        total += e;
        differs += y8[(t * N + n) * H + j] != y32[(t * N + n) * H + j];
      }
    }
  }
  const double mean = total / static_cast<double>(T * N * H);
  INFO("largest error " << worst << ", mean " << mean);
  // The inputs' step is 3/127 and each weight's 1/254 of its channel's largest: over 192 terms
  // a gate's pre-activation moves by about 0.01, and the states carry it through 12 steps.
  CHECK(worst < 0.05);
  CHECK(mean < 0.015);  // measured: 0.006 mean, 0.018 largest
  CHECK(differs > 0);
}

TEST_CASE("int8 GRU inference runs in float32 (oneDNN has no int8 linear-before-reset GRU)",
          "[rnn][reference]") {
  const int64_t T = 4, N = 3, I = 8, H = 8;
  ParamSet params;
  RnnLayer layer(params, "rnn", Cell::gru, I, H);
  params.allocate();
  Rng rng(3);
  layer.init(rng);
  CHECK(layer.int8_runs_in_f32());
  Tensor x({T, N, I}), y8({T, N, H}), y32({T, N, H});
  test::fill_uniform(x, rng, 1.0f);
  layer.forward_inference({.T = T, .N = N, .x = x.data(), .y = y8.data()}, ComputeType::int8);
  layer.forward_inference({.T = T, .N = N, .x = x.data(), .y = y32.data()}, ComputeType::f32);
  for (size_t i = 0; i < y8.size(); ++i) CHECK(y8[i] == y32[i]);
}
