// Learning happens: a tiny model drives its loss on a handful of pairs to near zero.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/seq2seq.hpp"
#include "tests/model_test_util.hpp"

using namespace rnmt;

TEST_CASE("a tiny model overfits five sentence pairs", "[training]") {
  const bool feeding = GENERATE(false, true);
  const auto cell = GENERATE(Cell::lstm, Cell::gru);
  // Target = source reversed, shifted into another vocabulary range: needs attention to solve.
  const std::vector<Sentence> src = {
      {4, 5, 6, 7}, {8, 9, 4}, {10, 11, 12, 5, 6}, {7, 7, 9}, {13, 4}};
  Seq2Seq model(test::small_config(cell, feeding), 1);
  const auto losses = test::train_on(model, test::batch_of(src, test::shifted_reversals(src)), 150);
  const double first = losses.front(), last = losses.back();
  INFO("loss per token: first " << first << " last " << last);
  CHECK(first > 0.8 * std::log(16.0));  // starts near uniform
  CHECK(last < 0.05);                   // ends near zero
}
