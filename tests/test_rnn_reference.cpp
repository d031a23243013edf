// oneDNN's LSTM and GRU layers against the plain C++ reference cells, on a padded batch.
#include <catch2/catch.hpp>

#include "core/params.hpp"
#include "reference/rnn_reference.hpp"
#include "rnn/rnn_layer.hpp"
#include "test_util.hpp"

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
