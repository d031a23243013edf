#pragma once
// Shared by the model tests: batches from sentence lists, a small model configuration, and the
// reversal task (target = source reversed, shifted into another vocabulary range: it needs
// attention to solve) with the Adam loop that learns it.
#include <omp.h>

#include <vector>

#include "model/seq2seq.hpp"
#include "training/adam.hpp"
#include "training/clip.hpp"

namespace rnmt::test {

// Runs with one OpenMP thread (sums in a fixed order, as with `training.threads: 1`) and restores
// the count afterwards.
struct OneThread {
  int before = omp_get_max_threads();
  OneThread() { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(before); }
};

inline Batch batch_of(const std::vector<Sentence>& src, const std::vector<Sentence>& tgt) {
  std::vector<const Sentence*> s, t;
  for (size_t i = 0; i < src.size(); ++i) {
    s.push_back(&src[i]);
    t.push_back(&tgt[i]);
  }
  return make_batch(s, t);
}

// Source ids 4..13, target ids up to 15.
inline ModelConfig small_config(Cell cell, bool feeding) {
  ModelConfig c;
  c.src_vocab = 14;
  c.tgt_vocab = 16;
  c.embedding = 16;
  c.encoder_hidden = 24;
  c.decoder_hidden = 32;
  c.decoder_cell = cell == Cell::lstm ? DecoderCell::lstm : DecoderCell::gru;
  c.input_feeding = feeding;
  return c;
}

// A small network over one vocabulary of `vocab` ids (the trainer's and data-parallel tests' data):
// the sizes can be set, and dropout (whose random state checkpoints must carry) is off by default.
struct TinyShape {
  int64_t embedding = 8, encoder_hidden = 8, decoder_hidden = 12;
  float dropout = 0;
  bool input_feeding = true;
};
inline ModelConfig tiny_config(int64_t vocab, const TinyShape& shape = {}) {
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = vocab;
  c.embedding = shape.embedding;
  c.encoder_hidden = shape.encoder_hidden;
  c.decoder_hidden = shape.decoder_hidden;
  c.dropout = shape.dropout;
  c.input_feeding = shape.input_feeding;
  return c;
}

// Every weight of a network, in the arena's order.
inline std::vector<float> param_values(const Seq2Seq& m) {
  return {m.params().values(), m.params().values() + m.params().total()};
}

// Nine sources of 1 to 7 tokens for the reversal task.
inline const std::vector<Sentence> kReversalSources = {
    {4, 5, 6, 7}, {8, 9, 4},    {10, 11, 12, 5, 6}, {7, 7, 9}, {13, 4}, {5, 6, 7, 8, 9, 10, 11},
    {12},         {9, 8, 7, 6}, {4, 4, 4}};

inline std::vector<Sentence> shifted_reversals(const std::vector<Sentence>& sources) {
  std::vector<Sentence> out;
  for (const auto& s : sources) {
    Sentence t(s.rbegin(), s.rend());
    for (auto& w : t) w += 2;
    out.push_back(t);
  }
  return out;
}

// `steps` Adam steps (lr 0.02, clip 5) on one batch; returns the loss per token of each step.
inline std::vector<double> train_on(Seq2Seq& model, const Batch& batch, int steps) {
  Adam adam;
  std::vector<double> losses;
  for (int step = 0; step < steps; ++step) {
    model.params().zero_grads();
    const LossStats stats = model.forward(batch, true);
    model.backward(batch, 1.0f / static_cast<float>(batch.tgt_tokens));
    adam.step(model.params(), 0.02f, clip_factor(gradient_norm(model.params()), 5.0));
    losses.push_back(stats.nll / static_cast<double>(stats.tokens));
  }
  return losses;
}

}  // namespace rnmt::test
