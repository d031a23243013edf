// Each layer on its own: forward against a plain computation, backward (parameters and inputs)
// against finite differences. Inputs are registered as parameters so the same checker covers them.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "decoder/bridge.hpp"
#include "encoder/encoder.hpp"
#include "gradcheck.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/linear.hpp"
#include "layers/output_loss.hpp"
#include "rnn/rnn_layer.hpp"

using namespace rnmt;

namespace {

// Σ r·y for fixed random weights r: a scalar loss whose gradient wrt y is r.
struct Probe {
  std::vector<float> r;
  Probe(size_t n, uint64_t seed) : r(n) {
    Rng rng(seed);
    for (auto& x : r) x = rng.uniform(-1, 1);
  }
  double operator()(const float* y) const {
    double s = 0;
    for (size_t i = 0; i < r.size(); ++i) s += static_cast<double>(r[i]) * y[i];
    return s;
  }
};

void fill(Param& p, Rng& rng, float limit = 1.0f) {
  for (size_t i = 0; i < p.size; ++i) p.w[i] = rng.uniform(-limit, limit);
}

}  // namespace

TEST_CASE("linear layer: forward and gradients", "[layers]") {
  const int64_t rows = 4, in = 3, out = 5;
  ParamSet params;
  Linear linear(params, "lin", in, out, true);
  Param& x = params.add("x", {rows, in});
  params.allocate();
  Rng rng(1);
  fill(*linear.weight, rng);
  fill(*linear.bias, rng);
  fill(x, rng);
  std::vector<float> y(static_cast<size_t>(rows * out));
  linear.forward(x.w, rows, y.data());
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < out; ++j) {
      double e = linear.bias->w[j];
      for (int64_t k = 0; k < in; ++k)
        e += static_cast<double>(x.w[i * in + k]) * linear.weight->w[j * in + k];
      CHECK(y[static_cast<size_t>(i * out + j)] == Approx(e).margin(1e-5));
    }
  }
  Probe probe(y.size(), 2);
  test::check_gradients(
      params,
      [&] {
        linear.forward(x.w, rows, y.data());
        return probe(y.data());
      },
      [&] {
        params.zero_grads();
        linear.forward(x.w, rows, y.data());
        linear.backward(x.w, rows, probe.r.data(), x.g, false);
      });
}

TEST_CASE("embedding: lookup, scatter-add gradient, padding row untouched", "[layers]") {
  ParamSet params;
  Embedding emb(params, "emb", 6, 3);
  params.allocate();
  Rng rng(3);
  emb.init(rng);
  for (int64_t j = 0; j < 3; ++j) CHECK(emb.table->w[j] == 0.0f);
  const std::vector<int32_t> ids = {2, 0, 2, 5};
  std::vector<float> out(12), dout(12);
  emb.forward(ids.data(), 4, out.data());
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 3; ++j)
      CHECK(out[i * 3 + j] == emb.table->w[static_cast<size_t>(ids[i]) * 3 + j]);
  }
  for (size_t i = 0; i < dout.size(); ++i) dout[i] = static_cast<float>(i + 1);
  emb.backward(ids.data(), 4, dout.data());
  for (size_t j = 0; j < 3; ++j) {
    CHECK(emb.table->g[2 * 3 + j] == dout[j] + dout[6 + j]);  // id 2 seen twice: summed
    CHECK(emb.table->g[5 * 3 + j] == dout[9 + j]);
    CHECK(emb.table->g[j] == 0.0f);  // padding gets no gradient
    CHECK(emb.table->g[1 * 3 + j] == 0.0f);
  }
}

TEST_CASE("dropout: inverted scaling, rate, same mask backward, off at inference", "[layers]") {
  Dropout d{0.25f, {}};
  Rng rng(4);
  std::vector<float> x(20000, 1.0f);
  d.forward(x.data(), 20000, rng, true);
  int zeros = 0;
  for (float v : x) {
    if (v == 0)
      ++zeros;
    else
      CHECK(v == Approx(1.0f / 0.75f));
  }
  CHECK(zeros == Approx(5000).margin(300));
  std::vector<float> g(20000, 2.0f);
  d.backward(g.data(), 20000);
  for (size_t i = 0; i < g.size(); ++i) CHECK((g[i] == 0) == (x[i] == 0));
  std::vector<float> y(10, 3.0f);
  d.forward(y.data(), 10, rng, false);
  for (float v : y) CHECK(v == 3.0f);
}

TEST_CASE("output layer: loss equals a double-precision log-softmax, gradients", "[layers]") {
  const int64_t rows = 5, H = 4, V = 7;
  const float smoothing = GENERATE(0.0f, 0.1f);
  ParamSet params;
  OutputLayer out(params, "out", H, V, nullptr);
  Param& x = params.add("x", {rows, H});
  params.allocate();
  Rng rng(6);
  fill(*out.weight, rng);
  fill(*out.bias, rng);
  fill(x, rng);
  const std::vector<int32_t> targets = {3, 0, 6, 1, 4};  // row 1 is padding
  LossStats stats = out.forward(x.w, rows, targets.data(), smoothing);
  double loss = 0, nll = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (targets[static_cast<size_t>(r)] == 0) continue;
    std::vector<double> z(static_cast<size_t>(V));
    double mx = -1e30;
    for (int64_t v = 0; v < V; ++v) {
      double s = out.bias->w[v];
      for (int64_t k = 0; k < H; ++k)
        s += static_cast<double>(x.w[r * H + k]) * out.weight->w[v * H + k];
      z[static_cast<size_t>(v)] = s;
      mx = std::max(mx, s);
    }
    double se = 0;
    for (double s : z) se += std::exp(s - mx);
    const double lse = mx + std::log(se);
    double mean_logp = 0;
    for (double s : z) mean_logp += (s - lse) / static_cast<double>(V);
    const double target_logp = z[static_cast<size_t>(targets[static_cast<size_t>(r)])] - lse;
    nll -= target_logp;
    loss -= (1 - smoothing) * target_logp + smoothing * mean_logp;
  }
  CHECK(stats.tokens == 4);
  CHECK(stats.nll == Approx(nll).epsilon(1e-5));
  CHECK(stats.loss == Approx(loss).epsilon(1e-5));
  test::check_gradients(
      params, [&] { return out.forward(x.w, rows, targets.data(), smoothing).loss; },
      [&] {
        params.zero_grads();
        out.forward(x.w, rows, targets.data(), smoothing);
        out.backward(x.w, rows, targets.data(), smoothing, 1.0f, x.g);
      });
}

namespace {

// One recurrent layer with its inputs and initial states as parameters, and a loss that probes
// every output (sequence, final hidden and cell state).
struct RecurrentCase {
  static constexpr int64_t T = 4, N = 2, I = 3, H = 5;
  Cell cell;
  bool lstm = cell == Cell::lstm;
  ParamSet params;
  RnnLayer layer{params, "rnn", cell, I, H};
  Param& x = params.add("x", {T, N, I});
  Param& h0 = params.add("h0", {N, H});
  Param& c0 = params.add("c0", {N, H});
  Tensor y{{T, N, H}}, hT{{N, H}}, cT{{N, H}};
  Tensor ws{{static_cast<int64_t>(layer.workspace_floats(T, N))}};
  Probe py{y.size(), 1}, ph{hT.size(), 2}, pc{cT.size(), 3};

  explicit RecurrentCase(Cell c) : cell(c) {
    params.allocate();
    Rng rng(8);
    layer.init(rng);
    fill(layer.bias(), rng, 0.5f);
    fill(x, rng);
    fill(h0, rng, 0.5f);
    fill(c0, rng, 0.5f);
  }
  RnnForward call() {
    return {.T = T,
            .N = N,
            .x = x.w,
            .h0 = h0.w,
            .c0 = lstm ? c0.w : nullptr,
            .y = y.data(),
            .hT = hT.data(),
            .cT = lstm ? cT.data() : nullptr,
            .workspace = ws.data()};
  }
  double run() {
    layer.forward(call());
    return py(y.data()) + ph(hT.data()) + (lstm ? pc(cT.data()) : 0.0);
  }
  void gradients() {
    params.zero_grads();
    run();
    layer.backward({.forward = call(),
                    .dy = py.r.data(),
                    .dhT = ph.r.data(),
                    .dcT = lstm ? pc.r.data() : nullptr,
                    .dx = x.g,
                    .dh0 = h0.g,
                    .dc0 = lstm ? c0.g : nullptr});
  }
};

// The layer's weights are small enough to check every entry one by one.
const test::GradCheckOptions kEveryEntry{.every_coordinate = 1024};

}  // namespace

TEST_CASE("recurrent layer gradients: weights, inputs and initial states", "[layers][rnn]") {
  RecurrentCase c(GENERATE(Cell::lstm, Cell::gru));
  test::check_gradients(
      c.params, [&] { return c.run(); }, [&] { c.gradients(); }, kEveryEntry);
}

TEST_CASE("the gradient check catches broken gradients: a dropped bias, one gate halved",
          "[layers][rnn]") {
  // Mutations of a correct backward pass, each of which the check must report at its parameter.
  RecurrentCase c(GENERATE(Cell::lstm, Cell::gru));
  const auto& bias = c.params.find("rnn.bias");
  const auto& recurrent = c.params.find("rnn.weights_iter");  // [H, gates, H] (ldigo)
  const int64_t gates = recurrent.dims[1], H = RecurrentCase::H;
  const std::vector<std::pair<std::string, std::function<void()>>> mutations = {
      {"rnn.bias", [&] { std::fill(bias.g, bias.g + bias.size, 0.0f); }},
      {"rnn.bias", [&] { std::fill(bias.g + H, bias.g + 2 * H, 0.0f); }},  // one gate's bias
      {"rnn.weights_iter",
       [&] {
         for (int64_t i = 0; i < H; ++i) {
           for (int64_t h = 0; h < H; ++h) recurrent.g[(i * gates + 1) * H + h] *= 0.5f;
         }
       }},
  };
  for (const auto& [parameter, mutate] : mutations) {
    const auto failures = test::find_gradient_errors(
        c.params, [&] { return c.run(); },
        [&] {
          c.gradients();
          mutate();
        },
        kEveryEntry);
    INFO("mutated " << parameter);
    CHECK(std::any_of(failures.begin(), failures.end(),
                      [&](const auto& f) { return f.parameter == parameter; }));
  }
  // and the unmutated pass is clean, so the failures above are the mutations'
  CHECK(test::find_gradient_errors(
            c.params, [&] { return c.run(); }, [&] { c.gradients(); }, kEveryEntry)
            .empty());
}

TEST_CASE("encoder gradients on a padded batch, two layers", "[layers][encoder]") {
  const int64_t S = 4, N = 3, E = 3, H = 2;
  const std::vector<int32_t> lengths = {4, 1, 3};
  ParamSet params;
  Encoder encoder(params, "enc", E, H, 2, 0.0f);
  Param& x = params.add("x", {S, N, E});
  params.allocate();
  Rng rng(9);
  encoder.init(rng);
  fill(x, rng);
  Probe pm(static_cast<size_t>(S * N * 2 * H), 4), pf(static_cast<size_t>(N * 2 * H), 5);
  auto run = [&] {
    encoder.forward(S, N, x.w, lengths.data(), rng, false);
    return pm(encoder.memory().data()) + pf(encoder.final_state().data());
  };
  test::check_gradients(params, run, [&] {
    params.zero_grads();
    run();
    encoder.backward(pm.r.data(), pf.r.data(), x.g);
  });
  // Padding positions have zero memory and receive zero input gradient.
  run();
  for (int64_t j = 0; j < 2 * H; ++j)
    CHECK(encoder.memory()[static_cast<size_t>((1 * N + 1) * 2 * H + j)] == 0.0f);
  for (int64_t j = 0; j < E; ++j) CHECK(x.g[(3 * N + 2) * E + j] == 0.0f);
}

TEST_CASE("bridge gradients, LSTM and GRU decoders", "[layers]") {
  const auto cell = GENERATE(Cell::lstm, Cell::gru);
  const int64_t N = 3, In = 4, H = 5, L = 2;
  ParamSet params;
  Bridge bridge(params, "bridge", In, H, L, cell);
  Param& s = params.add("s", {N, In});
  params.allocate();
  Rng rng(10);
  bridge.init(rng);
  for (Param& p : params.params()) fill(p, rng);
  Probe ph(static_cast<size_t>(L * N * H), 6), pc(static_cast<size_t>(L * N * H), 7);
  auto run = [&] {
    bridge.forward(N, s.w);
    return ph(bridge.h0(0)) + (bridge.has_c() ? pc(bridge.c0(0)) : 0.0);
  };
  test::check_gradients(params, run, [&] {
    params.zero_grads();
    run();
    bridge.backward(ph.r.data(), bridge.has_c() ? pc.r.data() : nullptr, s.g);
  });
}

TEST_CASE("an LSTM's training forward and backward refuse a missing final cell state", "[rnn]") {
  ParamSet params;
  RnnLayer layer(params, "rnn", Cell::lstm, 3, 4);
  params.allocate();
  Tensor x({2, 1, 3}), y({2, 1, 4}), ws({static_cast<int64_t>(layer.workspace_floats(2, 1))});
  x.zero();
  const RnnForward call{.T = 2, .N = 1, .x = x.data(), .y = y.data(), .workspace = ws.data()};
  CHECK_THROWS_WITH(layer.forward(call), Catch::Contains("an LSTM's training forward needs cT"));
  CHECK_THROWS_WITH(layer.backward({.forward = call, .dy = y.data()}),
                    Catch::Contains("an LSTM's backward needs the forward call's cT"));
}
