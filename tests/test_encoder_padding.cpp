// A sentence's encoder states inside a padded batch equal those computed for it alone, and both
// directions equal the reference LSTM (the right-to-left one run over the reversed sentence).
#include <catch2/catch.hpp>

#include "encoder/encoder.hpp"
#include "reference/rnn_reference.hpp"
#include "test_util.hpp"

using namespace rnmt;

TEST_CASE("encoder states in a padded batch equal each sentence alone", "[encoder][padding]") {
  const int64_t S = 6, N = 4, E = 5, H = 7;
  const std::vector<int32_t> lengths = {6, 2, 4, 1};
  ParamSet params;
  Encoder encoder(params, "enc", E, H, 2, 0.0f);
  params.allocate();
  Rng rng(12);
  encoder.init(rng);
  Tensor x({S, N, E});
  test::fill_uniform(x, rng, 1.0f);
  // Padding positions hold garbage on purpose: it must not leak into any real state.
  encoder.forward(S, N, x.data(), lengths.data(), rng, false);
  const Tensor batch_memory = encoder.memory();
  const Tensor batch_final = encoder.final_state();

  for (int64_t n = 0; n < N; ++n) {
    const int64_t len = lengths[static_cast<size_t>(n)];
    Tensor alone({len, 1, E});
    for (int64_t t = 0; t < len; ++t) {
      for (int64_t j = 0; j < E; ++j)
        alone[static_cast<size_t>(t * E + j)] = x[static_cast<size_t>((t * N + n) * E + j)];
    }
    const int32_t one_length = static_cast<int32_t>(len);
    encoder.forward(len, 1, alone.data(), &one_length, rng, false);
    for (int64_t t = 0; t < len; ++t) {
      for (int64_t j = 0; j < 2 * H; ++j) {
        REQUIRE(batch_memory[static_cast<size_t>((t * N + n) * 2 * H + j)] ==
                Approx(encoder.memory()[static_cast<size_t>(t * 2 * H + j)]).margin(1e-5));
      }
    }
    for (int64_t j = 0; j < 2 * H; ++j) {
      REQUIRE(batch_final[static_cast<size_t>(n * 2 * H + j)] ==
              Approx(encoder.final_state()[static_cast<size_t>(j)]).margin(1e-5));
    }
  }
}

TEST_CASE("one-layer encoder directions match the reference LSTM", "[encoder][reference]") {
  const int64_t S = 5, N = 2, E = 3, H = 4;
  const std::vector<int32_t> lengths = {3, 5};
  ParamSet params;
  Encoder encoder(params, "enc", E, H, 1, 0.0f);
  params.allocate();
  Rng rng(13);
  encoder.init(rng);
  Tensor x({S, N, E});
  test::fill_uniform(x, rng, 1.0f);
  encoder.forward(S, N, x.data(), lengths.data(), rng, false);
  Param& wl_f = params.find("enc.layer0.l2r.weights_layer");
  Param& wi_f = params.find("enc.layer0.l2r.weights_iter");
  Param& b_f = params.find("enc.layer0.l2r.bias");
  Param& wl_b = params.find("enc.layer0.r2l.weights_layer");
  Param& wi_b = params.find("enc.layer0.r2l.weights_iter");
  Param& b_b = params.find("enc.layer0.r2l.bias");
  for (int64_t n = 0; n < N; ++n) {
    const int64_t len = lengths[static_cast<size_t>(n)];
    std::vector<float> seq, rev;
    for (int64_t t = 0; t < len; ++t) {
      seq.insert(seq.end(), &x[static_cast<size_t>((t * N + n) * E)],
                 &x[static_cast<size_t>((t * N + n) * E)] + E);
    }
    for (int64_t t = len - 1; t >= 0; --t)
      rev.insert(rev.end(), seq.begin() + t * E, seq.begin() + (t + 1) * E);
    std::vector<double> h(static_cast<size_t>(H)), c(static_cast<size_t>(H));
    auto fwd = reference::lstm_sequence(seq.data(), len, E, H, wl_f.w, wi_f.w, b_f.w, h, c);
    std::fill(h.begin(), h.end(), 0.0);
    std::fill(c.begin(), c.end(), 0.0);
    auto bwd = reference::lstm_sequence(rev.data(), len, E, H, wl_b.w, wi_b.w, b_b.w, h, c);
    for (int64_t t = 0; t < len; ++t) {
      for (int64_t j = 0; j < H; ++j) {
        const float* m = encoder.memory().data() + (t * N + n) * 2 * H;
        CHECK(m[j] == Approx(fwd[static_cast<size_t>(t * H + j)]).margin(1e-5));
        CHECK(m[H + j] == Approx(bwd[static_cast<size_t>((len - 1 - t) * H + j)]).margin(1e-5));
      }
    }
  }
}

TEST_CASE("every layer's final states in a padded batch: each sentence's own, and the reference's",
          "[encoder][padding][reference]") {
  // The copy bridge (converted OpenNMT-py models) starts the decoder from them: a sentence must
  // get the states at its own last piece, cell states included, in any batch.
  const int64_t S = 7, N = 4, E = 5, H = 6, L = 2;
  const std::vector<int32_t> lengths = {7, 2, 5, 2};
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const bool lstm = cell == Cell::lstm;
  INFO((lstm ? "lstm" : "gru"));
  ParamSet params;
  Encoder encoder(params, "enc", E, H, L, 0.0f, /*layer_final_states=*/true, cell);
  params.allocate();
  Rng rng(14);
  encoder.init(rng);
  Tensor x({S, N, E});
  test::fill_uniform(x, rng, 1.0f);
  encoder.forward_inference(S, N, x.data(), lengths.data());
  const Tensor batch_h = encoder.layer_final_h(), batch_c = encoder.layer_final_c();
  const Tensor batch_memory = encoder.memory();
  for (int64_t n = 0; n < N; ++n) {
    const int64_t len = lengths[static_cast<size_t>(n)];
    INFO("sentence " << n);
    // the top layer's final hidden states are its outputs at the ends: left-to-right at the last
    // piece, right-to-left at the first
    for (int64_t j = 0; j < H; ++j) {
      CHECK(batch_h[static_cast<size_t>(((L - 1) * N + n) * 2 * H + j)] ==
            batch_memory[static_cast<size_t>(((len - 1) * N + n) * 2 * H + j)]);
      CHECK(batch_h[static_cast<size_t>(((L - 1) * N + n) * 2 * H + H + j)] ==
            batch_memory[static_cast<size_t>(n * 2 * H + H + j)]);
    }
    // layer 0 against the reference LSTM, both directions, hidden and cell
    std::vector<float> seq, rev;
    for (int64_t t = 0; t < len; ++t)
      seq.insert(seq.end(), &x[static_cast<size_t>((t * N + n) * E)],
                 &x[static_cast<size_t>((t * N + n) * E)] + E);
    for (int64_t t = len - 1; t >= 0; --t)
      rev.insert(rev.end(), seq.begin() + t * E, seq.begin() + (t + 1) * E);
    for (const bool right_to_left : {false, true}) {
      const std::string d = right_to_left ? "r2l" : "l2r";
      std::vector<double> h(static_cast<size_t>(H)), c(static_cast<size_t>(H));
      const float* wl = params.find("enc.layer0." + d + ".weights_layer").w;
      const float* wi = params.find("enc.layer0." + d + ".weights_iter").w;
      const float* b = params.find("enc.layer0." + d + ".bias").w;
      const float* x0 = (right_to_left ? rev : seq).data();
      if (lstm) {
        reference::lstm_sequence(x0, len, E, H, wl, wi, b, h, c);
      } else {
        reference::gru_sequence(x0, len, E, H, wl, wi, b, h);
      }
      const int64_t half = right_to_left ? H : 0;
      for (int64_t j = 0; j < H; ++j) {
        CHECK(batch_h[static_cast<size_t>(n * 2 * H + half + j)] ==
              Approx(h[static_cast<size_t>(j)]).margin(1e-5));
        if (lstm)
          CHECK(batch_c[static_cast<size_t>(n * 2 * H + half + j)] ==
                Approx(c[static_cast<size_t>(j)]).margin(1e-5));
      }
    }
    // and alone, every layer's states are the same as in the batch
    Tensor alone({len, 1, E});
    for (int64_t t = 0; t < len; ++t)
      for (int64_t j = 0; j < E; ++j)
        alone[static_cast<size_t>(t * E + j)] = x[static_cast<size_t>((t * N + n) * E + j)];
    const int32_t one_length = static_cast<int32_t>(len);
    encoder.forward_inference(len, 1, alone.data(), &one_length);
    for (int64_t l = 0; l < L; ++l) {
      for (int64_t j = 0; j < 2 * H; ++j) {
        CHECK(batch_h[static_cast<size_t>((l * N + n) * 2 * H + j)] ==
              Approx(encoder.layer_final_h()[static_cast<size_t>(l * 2 * H + j)]).margin(1e-5));
        if (lstm)
          CHECK(batch_c[static_cast<size_t>((l * N + n) * 2 * H + j)] ==
                Approx(encoder.layer_final_c()[static_cast<size_t>(l * 2 * H + j)]).margin(1e-5));
      }
    }
  }
}
