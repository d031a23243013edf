// Learning happens: a tiny model drives its loss on a handful of pairs to near zero.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/seq2seq.hpp"
#include "training/adam.hpp"
#include "training/clip.hpp"

using namespace rnmt;

TEST_CASE("a tiny model overfits five sentence pairs", "[training]") {
  const bool feeding = GENERATE(false, true);
  const auto cell = GENERATE(Cell::lstm, Cell::gru);
  // Target = source reversed, shifted into another vocabulary range: needs attention to solve.
  const std::vector<Sentence> src = {
      {4, 5, 6, 7}, {8, 9, 4}, {10, 11, 12, 5, 6}, {7, 7, 9}, {13, 4}};
  std::vector<Sentence> tgt;
  for (const auto& s : src) tgt.emplace_back(s.rbegin(), s.rend());
  for (auto& t : tgt) {
    for (auto& w : t) w += 2;
  }
  std::vector<const Sentence*> sp, tp;
  for (size_t i = 0; i < src.size(); ++i) {
    sp.push_back(&src[i]);
    tp.push_back(&tgt[i]);
  }
  const Batch batch = make_batch(sp, tp);
  ModelConfig c;
  c.src_vocab = 14;
  c.tgt_vocab = 16;
  c.embedding = 16;
  c.encoder_hidden = 24;
  c.decoder_hidden = 32;
  c.decoder_cell = cell;
  c.input_feeding = feeding;
  Seq2Seq model(c, 1);
  Adam adam;
  const float scale = 1.0f / static_cast<float>(batch.tgt_tokens);
  double first = 0, last = 0;
  for (int step = 0; step < 150; ++step) {
    model.params().zero_grads();
    const LossStats stats = model.forward(batch, true);
    model.backward(batch, scale);
    adam.step(model.params(), 0.02f, clip_factor(gradient_norm(model.params()), 5.0));
    if (step == 0) first = stats.nll / static_cast<double>(stats.tokens);
    last = stats.nll / static_cast<double>(stats.tokens);
  }
  INFO("loss per token: first " << first << " last " << last);
  CHECK(first > 0.8 * std::log(16.0));  // starts near uniform
  CHECK(last < 0.05);                   // ends near zero
}
