// Training continues exactly from a checkpoint, refuses one that does not fit, and survives
// non-finite steps until they repeat.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "model_test_util.hpp"
#include "tests/skip.hpp"
#include "tests/temp_dir.hpp"
#include "training/synthetic.hpp"
#include "training/trainer.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

// dropout: so that the dropout random state must be restored too
ModelConfig tiny(int64_t vocab) {
  return test::tiny_config(vocab, {.dropout = 0.2f});
}

std::vector<float> values(const Seq2Seq& m) {
  return test::param_values(m);
}

}  // namespace

TEST_CASE("training 2N steps equals N steps, a checkpoint, and N more", "[trainer]") {
  test::OneThread one;
  const ParallelData data =
      synthetic_data(120, 5, 16, 3);  // 8 batches of 16: N = 6 crosses an epoch
  const TrainerOptions options{.lr = 0.01, .batch_sentences = 16, .seed = 9};
  const std::string path = test::temp("resume.ckpt");
  const int N = 6;

  Seq2Seq straight(tiny(data.src_vocab), 5);
  Trainer a(straight, data, options);
  for (int i = 0; i < 2 * N; ++i) a.step();

  Seq2Seq first(tiny(data.src_vocab), 5);
  Trainer b(first, data, options);
  for (int i = 0; i < N; ++i) b.step();
  b.save_checkpoint(path);

  Seq2Seq resumed(tiny(data.src_vocab), 5);
  Trainer c(resumed, data, options);
  c.load_checkpoint(path);
  CHECK(c.position().step == N);
  for (int i = 0; i < N; ++i) c.step();
  CHECK(c.position().step == a.position().step);
  CHECK(c.position().epoch == 1);
  const auto x = values(straight), y = values(resumed);
  REQUIRE(x.size() == y.size());
  CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
  // and training did change the weights
  CHECK(values(straight) != values(Seq2Seq(tiny(data.src_vocab), 5)));

  // a checkpoint of another model shape is refused with a message
  ModelConfig other = tiny(data.src_vocab);
  other.decoder_hidden = 16;
  Seq2Seq bigger(other, 5);
  Trainer d(bigger, data, options);
  CHECK_THROWS_WITH(d.load_checkpoint(path), Contains("this model has"));
  std::filesystem::remove(path);
}

TEST_CASE("non-finite steps are skipped, and repeated ones stop training", "[trainer][errors]") {
  const ParallelData data = synthetic_data(64, 4, 12, 1);
  Seq2Seq model(tiny(data.src_vocab), 2);
  Trainer t(model, data, {.batch_sentences = 16, .max_bad_steps = 3});
  t.step();
  Param& bias = model.params().find("output.bias");
  bias.w[5] = std::nanf("");
  const auto before = values(model);
  CHECK_FALSE(t.step().applied);
  CHECK_FALSE(t.step().applied);
  CHECK(t.position().step == 1);
  const auto after = values(model);
  CHECK(std::memcmp(before.data(), after.data(), before.size() * sizeof(float)) == 0);  // untouched
  CHECK_THROWS_WITH(t.step(), Contains("training diverged: 3 steps in a row"));
}

TEST_CASE("token-based batches fill up to the token budget", "[trainer][batching]") {
  ParallelData data;
  data.src_vocab = data.tgt_vocab = 10;
  for (int i = 0; i < 300; ++i) {
    const auto len = static_cast<size_t>(1 + i % 17);
    data.src.emplace_back(len, 5);
    data.tgt.emplace_back(len + 1, 6);
  }
  Rng rng(3);
  const auto batches = bucketed_batches(data, 0, 10, rng, 64);
  size_t covered = 0;
  for (const auto& b : batches) {
    int64_t longest = 0;
    for (int64_t i : b) {
      longest = std::max<int64_t>(
          longest, static_cast<int64_t>(std::max(data.src[static_cast<size_t>(i)].size(),
                                                 data.tgt[static_cast<size_t>(i)].size() + 1)));
    }
    CHECK(static_cast<int64_t>(b.size()) * longest <= 64);
    covered += b.size();
  }
  CHECK(covered == 300);  // every pair in exactly one batch
  // sentence-based batches are unchanged
  Rng again(3);
  for (const auto& b : bucketed_batches(data, 32, 10, again)) CHECK(b.size() <= 32);
}

TEST_CASE("per-epoch data (BPE-dropout) is asked for each epoch, and resuming stays exact",
          "[trainer]") {
  test::OneThread one;
  std::vector<int64_t> asked;
  auto epoch_data = [&asked](int64_t epoch) {
    asked.push_back(epoch);
    return synthetic_data(40, 4, 12, 100 + static_cast<uint64_t>(epoch));  // differs by epoch
  };
  const ParallelData first = epoch_data(0);
  asked.clear();
  const TrainerOptions options{.lr = 0.01, .batch_sentences = 16, .seed = 2};  // 3 batches an epoch
  const std::string path = test::temp("epochs.ckpt");
  Seq2Seq a_model(tiny(first.src_vocab), 4);
  Trainer a(a_model, first, options, epoch_data);
  for (int i = 0; i < 8; ++i) a.step();
  CHECK(asked == std::vector<int64_t>{0, 1, 2});
  Seq2Seq b_model(tiny(first.src_vocab), 4);
  Trainer b(b_model, first, options, epoch_data);
  for (int i = 0; i < 4; ++i) b.step();
  b.save_checkpoint(path);
  Seq2Seq c_model(tiny(first.src_vocab), 4);
  Trainer c(c_model, first, options, epoch_data);
  c.load_checkpoint(path);  // in epoch 1: the data of epoch 1 again
  for (int i = 0; i < 4; ++i) c.step();
  const auto x = values(a_model), y = values(c_model);
  CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
  std::filesystem::remove(path);
}

namespace {
void check_same_weights_on_any_thread_count(ComputeType compute) {
  // Sentences of 3 to 24 tokens and an odd batch: the shapes where oneDNN's split of a product
  // among threads could change the order of its sums (training/load_following_threads.hpp relies
  // on this equality).
  Rng rng(11);
  ParallelData data;
  data.src_vocab = 60;
  data.tgt_vocab = 70;
  for (int i = 0; i < 200; ++i) {
    Sentence s, t;
    const int64_t n = 3 + static_cast<int64_t>(rng.uniform() * 22);
    for (int64_t j = 0; j < n; ++j) s.push_back(4 + static_cast<int32_t>(rng.uniform() * 56));
    for (int64_t j = 0; j < n + 1; ++j) t.push_back(4 + static_cast<int32_t>(rng.uniform() * 66));
    data.src.push_back(s);
    data.tgt.push_back(t);
  }
  const int before = omp_get_max_threads();
  for (const DecoderCell cell : {DecoderCell::lstm, DecoderCell::gru, DecoderCell::cgru}) {
    ModelConfig config = test::tiny_config(60, {.embedding = 64,
                                                .encoder_hidden = 128,
                                                .decoder_hidden = 256,
                                                .dropout = 0.1f,
                                                .input_feeding = cell == DecoderCell::gru});
    config.tgt_vocab = 70;
    config.decoder_cell = cell;
    config.attention = cell == DecoderCell::lstm ? AttentionType::general : AttentionType::additive;
    if (cell == DecoderCell::cgru) config.bridge = BridgeType::mean;  // Marian's s2s model
    std::vector<float> weights[3];  // 1 thread, 2 threads, 1 and 2 in turn
    double losses[3] = {0, 0, 0};
    for (int run = 0; run < 3; ++run) {
      Seq2Seq model(config, 3);
      model.set_training_compute(compute);
      Trainer trainer(model, data, {.lr = 0.003, .batch_sentences = 37, .seed = 4});
      for (int step = 0; step < 8; ++step) {
        omp_set_num_threads(run == 2 ? 1 + step % 2 : run + 1);
        losses[run] += trainer.step().loss.loss;
      }
      weights[run] = values(model);
    }
    omp_set_num_threads(before);
    CHECK(weights[0] != values(Seq2Seq(config, 3)));  // training moved them
    CHECK(weights[1] == weights[0]);
    CHECK(weights[2] == weights[0]);
    CHECK(losses[1] == losses[0]);
    CHECK(losses[2] == losses[0]);
  }
}
}  // namespace

TEST_CASE("training gives the same weights on one thread, two, and a count changing every step",
          "[trainer][threads]") {
  check_same_weights_on_any_thread_count(ComputeType::f32);
}

TEST_CASE("bf16 training gives the same weights on one thread, two, and a changing count",
          "[trainer][threads][bf16]") {
  if (!bf16_supported()) {
    test::skip_test("this CPU has no bf16 instructions (AVX-512 BF16 or AMX)");
    return;
  }
  check_same_weights_on_any_thread_count(ComputeType::bf16);
}
