// The decoding interface the search strategies drive: DecoderState::select moves whole rows,
// Seq2Seq::step treats rows independently, and networks sharing weights hold one copy of them.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "core/rng.hpp"
#include "decoding/search.hpp"
#include "model/decoder_state.hpp"
#include "model/seq2seq.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;
using rnmt::test::batch_of;

namespace {

const std::vector<Sentence> kSources = {{4, 5, 6, 7}, {8, 9, 4}, {10, 11, 12, 5, 6}};

// A state of `rows` rows whose every value tells its row: h = 100·layer + row (+ 0.5 for c and
// 0.25 for the attentional vector), sentence = 10 + row.
DecoderState numbered_state(int64_t layers, int64_t rows, int64_t hidden, bool feeding) {
  DecoderState s;
  s.layers = layers;
  s.hidden = hidden;
  s.input_feeding = feeding;
  s.rows = s.padded_rows = rows;
  s.h.resize({layers, rows, hidden});
  s.c.resize({layers, rows, hidden});
  s.attentional.resize({rows, hidden});
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < hidden; ++j) {
        s.h[static_cast<size_t>((l * rows + r) * hidden + j)] = static_cast<float>(100 * l + r);
        s.c[static_cast<size_t>((l * rows + r) * hidden + j)] =
            static_cast<float>(100 * l + r) + 0.5f;
        if (l == 0)
          s.attentional[static_cast<size_t>(r * hidden + j)] = static_cast<float>(r) + 0.25f;
      }
    }
  }
  for (int64_t r = 0; r < rows; ++r) s.sentence.push_back(static_cast<int32_t>(10 + r));
  return s;
}

}  // namespace

TEST_CASE("DecoderState::select reorders, repeats and drops whole rows, and pads with row 0",
          "[decoding]") {
  for (bool feeding : {false, true}) {
    const int64_t L = 2, H = 3;
    DecoderState s = numbered_state(L, 5, H, feeding);
    const std::vector<int32_t> from = {3, 3, 0, 4};  // row 1 and 2 leave, row 3 splits in two
    s.select(from);
    REQUIRE(s.rows == 4);
    REQUIRE(s.padded_rows == padded_row_count(4));
    REQUIRE(s.padded_rows == 8);
    for (int64_t r = 0; r < s.padded_rows; ++r) {
      const int32_t old = r < 4 ? from[static_cast<size_t>(r)] : 0;
      CHECK(s.sentence[static_cast<size_t>(r)] == 10 + old);
      for (int64_t l = 0; l < L; ++l) {
        for (int64_t j = 0; j < H; ++j) {
          const auto i = static_cast<size_t>((l * s.padded_rows + r) * H + j);
          CHECK(s.h[i] == static_cast<float>(100 * l + old));
          CHECK(s.c[i] == static_cast<float>(100 * l + old) + 0.5f);
        }
      }
      // The attentional vectors are state only with input feeding.
      if (feeding)
        CHECK(s.attentional[static_cast<size_t>(r * H)] == static_cast<float>(old) + 0.25f);
    }
  }
  CHECK(padded_row_count(1) == 8);
  CHECK(padded_row_count(64) == 64);
  CHECK(padded_row_count(65) == 80);
}

TEST_CASE("a step's rows are independent: a repeated row gets the same logits as its original",
          "[decoding]") {
  for (bool feeding : {false, true}) {
    Seq2Seq model(test::small_config(Cell::lstm, feeding), 5);
    const Batch batch = batch_of(kSources, {{}, {}, {}});
    DecoderState state;
    model.start(batch, state);
    REQUIRE(state.rows == 3);
    const std::vector<int32_t> first = {kBos, kBos, kBos};
    model.step(state, first.data());
    // Sentence 2's row twice, then sentence 0's: each continues with a different token.
    state.select({2, 2, 0});
    const std::vector<int32_t> tokens = {5, 5, 7};
    const Seq2Seq::StepOutput out = model.step(state, tokens.data());
    const int64_t V = model.config().tgt_vocab, S = batch.S;
    CHECK(std::memcmp(out.logits, out.logits + V, sizeof(float) * static_cast<size_t>(V)) == 0);
    CHECK(std::memcmp(out.attention, out.attention + S, sizeof(float) * static_cast<size_t>(S)) ==
          0);
    // and they are the logits sentence 2 gets when decoded alone along the same tokens
    const Batch alone = batch_of({kSources[2]}, {{}});
    DecoderState single;
    model.start(alone, single);
    model.step(single, first.data());
    const Seq2Seq::StepOutput expected = model.step(single, tokens.data());
    for (int64_t v = 0; v < V; ++v) CHECK(out.logits[v] == Approx(expected.logits[v]).margin(1e-5));
  }
}

TEST_CASE("networks sharing weights hold one copy of them and decode alike", "[decoding]") {
  Seq2Seq owner(test::small_config(Cell::gru, true), 7);
  const auto worker = Seq2Seq::sharing_weights_of(owner);
  CHECK(worker->params().values() == owner.params().values());  // the same memory, not a copy
  CHECK(worker->params().total() == owner.params().total());
  CHECK(worker->params().grads() == nullptr);
  const Batch batch = batch_of(kSources, {{}, {}, {}});
  CHECK(beam_tokens(*worker, batch, 3, 0.6, 2.0) == beam_tokens(owner, batch, 3, 0.6, 2.0));
  // a network of another shape cannot share them
  ParamSet other;
  other.add("w", {3});
  CHECK_THROWS_WITH(other.share_values_of(owner.params()), Catch::Contains("same shape"));
}
