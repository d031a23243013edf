// Inspection: the recorded gates are the cells' real values (against the plain C++ reference
// cell), and the gradients through time are the gradients oneDNN's backward computes.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/params.hpp"
#include "inspect/gate_activity.hpp"
#include "inspect/network_trace.hpp"
#include "model_test_util.hpp"
#include "reference/rnn_reference.hpp"
#include "rnn/rnn_layer.hpp"
#include "test_util.hpp"

using namespace rnmt;

namespace {

// The reference cell's activated gates for one sequence x [T][I] from (h, c), in GateActivity's
// order, [G][T][H].
std::vector<std::vector<double>> reference_gates(Cell cell, const float* x, int64_t T, int64_t I,
                                                 int64_t H, const LayerWeights& w,
                                                 std::vector<double> h, std::vector<double> c) {
  const int64_t G = weight_gates(cell);
  std::vector<std::vector<double>> out(static_cast<size_t>(G));
  std::vector<double> rec(static_cast<size_t>(H));
  for (int64_t t = 0; t < T; ++t) {
    auto g = reference::gate_inputs(x + t * I, I, h.data(), H, G, w.w_layer, w.w_iter, w.bias,
                                    cell == Cell::gru, &rec);
    for (int64_t j = 0; j < H; ++j) {
      // the reference's cell maths (checked against oneDNN by test_rnn_reference.cpp)
      if (cell == Cell::lstm) {
        const auto s = cell_math::lstm_step(g[j], g[H + j], g[2 * H + j], g[3 * H + j], c[j]);
        out[0].push_back(s.i);
        out[1].push_back(s.f);
        out[2].push_back(s.g);
        out[3].push_back(s.o);
        c[j] = s.c;
        h[j] = s.h;
      } else {
        const auto s =
            cell_math::gru_step(g[j], g[H + j], g[2 * H + j], rec[j] + w.bias[3 * H + j], h[j]);
        out[0].push_back(s.u);
        out[1].push_back(s.r);
        out[2].push_back(s.o);
        h[j] = s.h;
      }
    }
  }
  return out;
}

struct LayerRun {
  RnnLayer* layer;
  RnnRecording recording;
};

// A layer with non-trivial biases run forward and backward on random inputs and gradients while
// recording.
void check_layer_gradients(Cell cell) {
  const int64_t T = 6, N = 3, I = 5, H = 7;
  const bool lstm = cell == Cell::lstm;
  ParamSet params;
  RnnLayer layer(params, "rnn", cell, I, H);
  params.allocate();
  Rng rng(11);
  layer.init(rng);
  for (int64_t i = 0; i < bias_gates(cell) * H; ++i) layer.bias().w[i] = rng.uniform(-0.5f, 0.5f);
  Tensor x({T, N, I}), h0({N, H}), c0({N, H}), y({T, N, H}), hT({N, H}), cT({N, H});
  Tensor dy({T, N, H}), dhT({N, H}), dcT({N, H}), dx({T, N, I}), dh0({N, H}), dc0({N, H});
  for (Tensor* t : {&x, &h0, &c0, &dy, &dhT, &dcT}) test::fill_uniform(*t, rng, 1.0f);
  Tensor ws({static_cast<int64_t>(layer.workspace_floats(T, N))});
  RnnRecording recording;
  layer.record_into(&recording);
  const RnnForward f{.T = T,
                     .N = N,
                     .x = x.data(),
                     .h0 = h0.data(),
                     .c0 = lstm ? c0.data() : nullptr,
                     .y = y.data(),
                     .hT = hT.data(),
                     .cT = lstm ? cT.data() : nullptr,
                     .workspace = ws.data()};
  layer.forward(f);
  layer.backward({.forward = f,
                  .dy = dy.data(),
                  .dhT = dhT.data(),
                  .dcT = lstm ? dcT.data() : nullptr,
                  .dx = dx.data(),
                  .dh0 = dh0.data(),
                  .dc0 = lstm ? dc0.data() : nullptr});
  layer.record_into(nullptr);

  const LayerSequence sequence = merge_calls(recording, layer);
  const LayerWeights weights = weights_of(layer);
  const GateActivity gates = recompute_gates(sequence, weights);
  CHECK(gates.max_output_error < 1e-5f);
  const StateGradients grads = gradients_through_time(sequence, gates, weights);
  // What oneDNN's backward returned, from the same recurrence.
  for (size_t i = 0; i < dx.size(); ++i) CHECK(grads.dx[i] == Approx(dx[i]).margin(1e-5));
  for (size_t i = 0; i < dh0.size(); ++i) CHECK(grads.dh0[i] == Approx(dh0[i]).margin(1e-5));
  if (lstm)
    for (size_t i = 0; i < dc0.size(); ++i) CHECK(grads.dc0[i] == Approx(dc0[i]).margin(1e-5));

  // dL/dh_{s-1} for each s: what arrives at output s-1 plus what oneDNN's backward over the steps
  // s..T-1 alone, started from the states after step s-1, returns as its dh0.
  for (int64_t s = 1; s < T; ++s) {
    const int64_t steps = T - s;
    std::vector<float> c_prev(static_cast<size_t>(N * H));
    if (lstm)
      std::copy(gates.cell_state.begin() + (s - 1) * N * H, gates.cell_state.begin() + s * N * H,
                c_prev.begin());
    Tensor y_suffix({steps, N, H}), hT_s({N, H}), cT_s({N, H}), dx_s({steps, N, I}), dh_s({N, H}),
        dc_s({N, H});
    Tensor ws_s({static_cast<int64_t>(layer.workspace_floats(steps, N))});
    const RnnForward fs{.T = steps,
                        .N = N,
                        .x = x.data() + s * N * I,
                        .h0 = y.data() + (s - 1) * N * H,
                        .c0 = lstm ? c_prev.data() : nullptr,
                        .y = y_suffix.data(),
                        .hT = hT_s.data(),
                        .cT = lstm ? cT_s.data() : nullptr,
                        .workspace = ws_s.data()};
    layer.forward(fs);
    layer.backward({.forward = fs,
                    .dy = dy.data() + s * N * H,
                    .dhT = dhT.data(),
                    .dcT = lstm ? dcT.data() : nullptr,
                    .dx = dx_s.data(),
                    .dh0 = dh_s.data(),
                    .dc0 = lstm ? dc_s.data() : nullptr});
    for (int64_t i = 0; i < N * H; ++i)
      CHECK(grads.dh[static_cast<size_t>((s - 1) * N * H + i)] ==
            Approx(dy[(s - 1) * N * H + i] + dh_s[i]).margin(1e-5));
  }
  // The last step's total is what arrives there: dy_{T-1} + dhT.
  for (int64_t i = 0; i < N * H; ++i)
    CHECK(grads.dh[static_cast<size_t>((T - 1) * N * H + i)] ==
          Approx(dy[(T - 1) * N * H + i] + dhT[i]).margin(1e-6));
}

// Gate values of every layer of a small network on a padded batch, against the reference cell
// run on what each layer read.
void check_network_gates(Cell decoder_cell, bool feeding, int64_t encoder_layers,
                         int64_t decoder_layers) {
  ModelConfig config = test::small_config(decoder_cell, feeding);
  config.encoder_layers = encoder_layers;
  config.decoder_layers = decoder_layers;
  config.dropout = 0.3f;  // inspection runs without it: the states are search's
  Seq2Seq net(config, 5);
  const std::vector<Sentence> src = {{4, 5, 6, 7, 8}, {9, 10}, {11, 12, 13}};
  const std::vector<Sentence> tgt = {{6, 7}, {8, 9, 10, 11}, {12}};
  const Batch batch = test::batch_of(src, tgt);
  const Rng rng_before = net.dropout_rng();
  const NetworkTrace trace = trace_network(net, batch, true);
  CHECK(trace.layers.size() == static_cast<size_t>(2 * encoder_layers + decoder_layers));
  // No randomness drawn, no gradient left behind.
  CHECK(net.dropout_rng().uniform(0, 1) == Rng(rng_before).uniform(0, 1));
  for (size_t i = 0; i < net.params().total(); ++i) REQUIRE(net.params().grads()[i] == 0.0f);

  for (size_t li = 0; li < trace.layers.size(); ++li) {
    const NetworkTrace::Layer& layer = trace.layers[li];
    const LayerSequence& s = layer.sequence;
    CHECK(layer.gates.max_output_error < 1e-5f);
    RnnLayer& rnn = layer.role == LayerRole::decoder
                        ? net.decoder().layer(static_cast<size_t>(layer.depth))
                        : net.encoder().direction(static_cast<size_t>(layer.depth),
                                                  layer.role == LayerRole::encoder_right_to_left);
    const LayerWeights w = weights_of(rnn);
    for (int64_t n = 0; n < batch.N; ++n) {
      const bool decoder = layer.role == LayerRole::decoder;
      const int64_t steps = decoder ? trace.tgt_lengths[static_cast<size_t>(n)]
                                    : trace.src_lengths[static_cast<size_t>(n)];
      std::vector<float> x;  // the row's input in the layer's own time order
      for (int64_t t = 0; t < steps; ++t)
        x.insert(x.end(), s.x.begin() + (t * s.N + n) * s.input,
                 s.x.begin() + (t * s.N + n + 1) * s.input);
      std::vector<double> h(s.h0.begin() + n * s.hidden, s.h0.begin() + (n + 1) * s.hidden);
      std::vector<double> c(static_cast<size_t>(s.hidden), 0.0);
      if (!s.c0.empty()) c.assign(s.c0.begin() + n * s.hidden, s.c0.begin() + (n + 1) * s.hidden);
      const auto ref = reference_gates(layer.cell, x.data(), steps, s.input, s.hidden, w, h, c);
      const SentenceLayerTrace sentence = sentence_trace(trace, li, n);
      REQUIRE(sentence.steps == steps);
      REQUIRE(sentence.gates.size() == ref.size());
      REQUIRE(sentence.gradient_norm.size() == static_cast<size_t>(steps));
      const bool reversed = layer.role == LayerRole::encoder_right_to_left;
      for (size_t g = 0; g < ref.size(); ++g) {
        for (int64_t p = 0; p < steps; ++p) {
          const int64_t t = reversed ? steps - 1 - p : p;  // sentence position -> layer step
          for (int64_t j = 0; j < s.hidden; ++j)
            CHECK(sentence.gates[g][static_cast<size_t>(p * s.hidden + j)] ==
                  Approx(ref[g][static_cast<size_t>(t * s.hidden + j)]).margin(1e-5));
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("Recomputed LSTM gates give oneDNN's gradients through time", "[inspect]") {
  check_layer_gradients(Cell::lstm);
}

TEST_CASE("Recomputed GRU gates give oneDNN's gradients through time", "[inspect]") {
  check_layer_gradients(Cell::gru);
}

TEST_CASE("Recorded gates of every layer are the reference cell's", "[inspect]") {
  SECTION("LSTM decoder") {
    check_network_gates(Cell::lstm, false, 2, 2);
  }
  SECTION("LSTM decoder, input feeding") {
    check_network_gates(Cell::lstm, true, 1, 2);
  }
  SECTION("GRU decoder") {
    check_network_gates(Cell::gru, false, 1, 1);
  }
  SECTION("GRU decoder, input feeding") {
    check_network_gates(Cell::gru, true, 2, 1);
  }
}

TEST_CASE("A sentence's trace in a padded batch is its trace alone", "[inspect]") {
  Seq2Seq net(test::small_config(Cell::lstm, true), 9);
  const std::vector<Sentence> src = {{4, 5, 6, 7, 8, 9}, {10, 11}};
  const std::vector<Sentence> tgt = {{6, 7, 8}, {12, 13, 14, 15, 6}};
  const NetworkTrace both = trace_network(net, test::batch_of(src, tgt), true);
  const NetworkTrace alone = trace_network(net, test::batch_of({src[1]}, {tgt[1]}), true);
  for (size_t li = 0; li < both.layers.size(); ++li) {
    const SentenceLayerTrace a = sentence_trace(both, li, 1), b = sentence_trace(alone, li, 0);
    REQUIRE(a.steps == b.steps);
    for (size_t g = 0; g < a.gates.size(); ++g)
      for (size_t i = 0; i < a.gates[g].size(); ++i)
        CHECK(a.gates[g][i] == Approx(b.gates[g][i]).margin(1e-5));
    // Gradients are of the mean token loss, so scale by each batch's token count.
    for (size_t p = 0; p < a.gradient_norm.size(); ++p)
      CHECK(a.gradient_norm[p] * 10 == Approx(b.gradient_norm[p] * 6).epsilon(1e-3).margin(1e-6));
  }
}

TEST_CASE("inspection traces a conditional decoder's two cells from the states each one read",
          "[inspect]") {
  const auto cell = GENERATE(DecoderCell::clstm, DecoderCell::cgru);
  INFO(enum_name(kDecoderCellNames, cell));
  ModelConfig config = test::small_config(Cell::lstm, false);
  config.decoder_cell = cell;
  config.attention = AttentionType::additive;
  config.bridge = BridgeType::mean;
  Seq2Seq net(config, 5);
  const std::vector<Sentence> src = {{4, 5, 6, 7, 8}, {9, 10}, {11, 12, 13}};
  const std::vector<Sentence> tgt = {{6, 7}, {8, 9, 10, 11}, {12}};
  const Batch batch = test::batch_of(src, tgt);
  const NetworkTrace trace = trace_network(net, batch, true);
  REQUIRE(trace.layers.size() == 4);  // the encoder's two directions, then the two cells
  for (size_t li = 0; li < trace.layers.size(); ++li) {
    const NetworkTrace::Layer& layer = trace.layers[li];
    INFO("layer " << li);
    // the gates recomputed from each step's input and previous state give the recorded outputs
    // (each cell's previous state is the other cell's: its own would not)
    CHECK(layer.gates.max_output_error < 1e-5f);
    const bool decoder = layer.role == LayerRole::decoder;
    CHECK(layer.sequence.h_prev.empty() == !decoder);
    if (decoder) CHECK(layer.depth == static_cast<int64_t>(li) - 2);
    // gradients through time only within a layer that reads its own states
    CHECK(layer.gradients.dh.empty() == decoder);
    const SentenceLayerTrace sentence = sentence_trace(trace, li, 1);
    CHECK(sentence.steps == (decoder ? 5 : 2));
  }
}
