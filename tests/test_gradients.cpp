// Whole-model finite-difference gradient checks: every cell, attention type, input feeding on and
// off, several layers, a padded batch, dropout (with a fixed mask), label smoothing and tied
// weights.
#include <catch2/catch.hpp>

#include "gradcheck.hpp"
#include "model/seq2seq.hpp"

using namespace rnmt;

namespace {

// Three pairs of different lengths, so both source and target sides are padded.
Batch tiny_batch() {
  static const std::vector<Sentence> src = {{4, 5, 6, 7}, {8, 4}, {9, 10, 5}};
  static const std::vector<Sentence> tgt = {{5, 6}, {7, 8, 9, 4}, {10}};
  return make_batch({&src[0], &src[1], &src[2]}, {&tgt[0], &tgt[1], &tgt[2]});
}

ModelConfig tiny_config() {
  ModelConfig c;
  c.src_vocab = 11;
  c.tgt_vocab = 12;
  c.embedding = 6;
  c.encoder_hidden = 4;
  c.decoder_hidden = 5;
  return c;
}

void check_model(const ModelConfig& config, bool training = false) {
  Seq2Seq model(config, 3);
  const Batch batch = tiny_batch();
  const float scale = 1.0f / static_cast<float>(batch.tgt_tokens);
  auto loss = [&] {
    model.dropout_rng().reseed(11);  // the same dropout mask every evaluation
    return model.forward(batch, training).loss * scale;
  };
  auto gradients = [&] {
    model.params().zero_grads();
    model.dropout_rng().reseed(11);
    model.forward(batch, training);
    model.backward(batch, scale);
  };
  test::check_gradients(model.params(), loss, gradients);
}

}  // namespace

TEST_CASE("model gradients match finite differences", "[gradients]") {
  const auto cell = GENERATE(DecoderCell::lstm, DecoderCell::gru);
  const auto attention = GENERATE(AttentionType::none, AttentionType::dot, AttentionType::general,
                                  AttentionType::additive);
  const bool feeding = GENERATE(false, true);
  ModelConfig c = tiny_config();
  c.decoder_cell = cell;
  c.attention = attention;
  c.input_feeding = feeding;
  if (attention == AttentionType::dot) c.decoder_hidden = 2 * c.encoder_hidden;
  INFO("cell " << enum_name(kDecoderCellNames, cell) << " attention " << static_cast<int>(attention)
               << " input feeding " << feeding);
  check_model(c);
}

TEST_CASE("model gradients with two layers, dropout and label smoothing", "[gradients]") {
  const auto cell = GENERATE(DecoderCell::lstm, DecoderCell::gru);
  const bool feeding = GENERATE(false, true);
  ModelConfig c = tiny_config();
  c.decoder_cell = cell;
  c.input_feeding = feeding;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.dropout = 0.3f;
  c.label_smoothing = 0.1f;
  check_model(c, /*training=*/true);
}

TEST_CASE("model gradients with tied target embeddings", "[gradients]") {
  ModelConfig c = tiny_config();
  c.decoder_hidden = c.embedding;
  c.tied_embeddings = true;
  check_model(c);
}

TEST_CASE("model gradients with the linear attentional vector (OpenNMT-py's mlp attention)",
          "[gradients]") {
  const bool feeding = GENERATE(false, true);
  ModelConfig c = tiny_config();
  c.attention = AttentionType::additive;
  c.attention_output = AttentionOutput::linear;
  c.input_feeding = feeding;
  INFO("input feeding " << feeding);
  check_model(c);
}

TEST_CASE("model gradients with a GRU encoder", "[gradients]") {
  const auto decoder = GENERATE(DecoderCell::lstm, DecoderCell::gru);
  ModelConfig c = tiny_config();
  c.encoder_cell = Cell::gru;
  c.decoder_cell = decoder;
  c.encoder_layers = 2;
  INFO("decoder " << enum_name(kDecoderCellNames, decoder));
  check_model(c);
}

TEST_CASE("model gradients with the conditional cells (Marian's cLSTM and cGRU)", "[gradients]") {
  const auto cell = GENERATE(DecoderCell::clstm, DecoderCell::cgru);
  const auto attention =
      GENERATE(AttentionType::dot, AttentionType::general, AttentionType::additive);
  const auto bridge = GENERATE(BridgeType::tanh, BridgeType::mean);
  ModelConfig c = tiny_config();
  c.decoder_cell = cell;
  c.attention = attention;
  c.bridge = bridge;
  if (attention == AttentionType::dot) c.decoder_hidden = 2 * c.encoder_hidden;
  INFO(enum_name(kDecoderCellNames, cell) << " attention " << static_cast<int>(attention)
                                          << " bridge " << enum_name(kBridgeTypeNames, bridge));
  check_model(c);
}

TEST_CASE(
    "model gradients with the conditional cells, a GRU encoder, dropout, label smoothing and "
    "tied embeddings",
    "[gradients]") {
  const auto cell = GENERATE(DecoderCell::clstm, DecoderCell::cgru);
  ModelConfig c = tiny_config();
  c.encoder_cell = Cell::gru;
  c.decoder_cell = cell;
  c.attention = AttentionType::additive;
  c.bridge = BridgeType::mean;
  c.dropout = 0.3f;
  c.label_smoothing = 0.1f;
  c.tied_embeddings = true;  // the deep output layer has the embedding's size
  INFO(enum_name(kDecoderCellNames, cell));
  check_model(c, /*training=*/true);
}

TEST_CASE("model gradients with the mean bridge under Luong's decoders", "[gradients]") {
  const auto cell = GENERATE(DecoderCell::lstm, DecoderCell::gru);
  const bool feeding = GENERATE(false, true);
  ModelConfig c = tiny_config();
  c.decoder_cell = cell;
  c.input_feeding = feeding;
  c.bridge = BridgeType::mean;
  INFO(enum_name(kDecoderCellNames, cell) << " input feeding " << feeding);
  check_model(c);
}
