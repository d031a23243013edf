// Synchronous data parallelism on real ranks: N ranks sharing a global batch make the updates one
// process makes with the whole batch, and every rank holds the same weights.
#include <catch2/catch.hpp>

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model_test_util.hpp"
#include "mpi_world.hpp"
#include "tests/temp_dir.hpp"
#include "training/synthetic.hpp"
#include "training/token_shard.hpp"
#include "training/trainer.hpp"

using namespace rnmt;

namespace {

ModelConfig small(int64_t vocab, float dropout) {
  return test::tiny_config(
      vocab, {.embedding = 16, .encoder_hidden = 16, .decoder_hidden = 24, .dropout = dropout});
}

std::vector<float> values(const Seq2Seq& m) {
  return test::param_values(m);
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
  return worst;
}

bool ranks_agree(Seq2Seq& m) {
  return mpi_world().agree(checksum(m.params().values(), m.params().total()));
}

}  // namespace

TEST_CASE("ranks sharing a global batch of 64 update as one process with the batch of 64",
          "[mpi]") {
  test::OneThread one;
  Communicator& world = mpi_world();
  REQUIRE(world.size() >= 2);
  const ParallelData data = synthetic_data(256, 6, 40, 7);  // 4 batches of 64 an epoch
  const int steps = 6;                                      // into the second epoch
  TrainerOptions options{.lr = 0.003, .clip_norm = 1, .batch_sentences = 64, .seed = 3};

  Seq2Seq alone(small(data.src_vocab, 0), 11);  // every rank computes the reference itself
  Trainer reference(alone, data, options);
  std::vector<double> reference_loss;
  for (int i = 0; i < steps; ++i) reference_loss.push_back(reference.step().loss.loss);

  Seq2Seq shared(small(data.src_vocab, 0), 11);
  options.communicator = &world;
  Trainer parallel(shared, data, options);
  std::vector<double> parallel_loss;
  for (int i = 0; i < steps; ++i) {
    const StepResult s = parallel.step();
    CHECK(s.sentences == 64);  // the global batch
    parallel_loss.push_back(s.loss.loss);
  }
  CHECK(ranks_agree(shared));  // bit for bit on every rank
  for (int i = 0; i < steps; ++i)
    CHECK(parallel_loss[static_cast<size_t>(i)] ==
          Approx(reference_loss[static_cast<size_t>(i)]).epsilon(1e-5));
  // The sums over ranks add the same terms in another order: float rounding, no more
  // (docs/distributed.md's figures: 2.9e-7 in the release build, 1.1e-6 in the sanitizers' -O1
  // build; checked below 2e-6).
  const double difference = max_difference(values(shared), values(alone));
  INFO("largest weight difference " << difference);
  CHECK(difference < 2e-6);
  CHECK(max_difference(values(shared), values(Seq2Seq(small(data.src_vocab, 0), 11))) > 1e-3);
  CHECK(reference_loss.back() < reference_loss.front());  // and it did learn
}

TEST_CASE("ranks reading their parts of token-id shards update as one process reading them all",
          "[mpi][shards]") {
  test::OneThread one;
  Communicator& world = mpi_world();
  const ParallelData data = synthetic_data(300, 6, 40, 9);
  // 3 shards (pair i in shard i mod 3), shuffled two at a time: 2 windows an epoch
  std::vector<std::string> paths;
  {
    std::vector<std::unique_ptr<ShardWriter>> writers;
    for (int s = 0; s < 3; ++s) {
      paths.push_back(test::temp("mpi" + std::to_string(s) + ".shard"));  // each rank its own copy
      writers.push_back(
          std::make_unique<ShardWriter>(paths.back(), data.src_vocab, data.tgt_vocab));
    }
    for (size_t i = 0; i < data.src.size(); ++i) writers[i % 3]->add(data.src[i], data.tgt[i]);
    for (auto& w : writers) w->finish();
  }
  const auto shards = pairs_in_shards(paths, false);
  TrainerOptions options{
      .lr = 0.003, .clip_norm = 1, .batch_sentences = 64, .seed = 3, .shuffle_window = 2};
  const int steps = 7;  // 4 + 2 batches of 64 an epoch: both windows, then the second epoch
  Seq2Seq alone(small(data.src_vocab, 0), 11);
  Trainer reference(alone, *shards, options);
  std::vector<double> reference_loss;
  for (int i = 0; i < steps; ++i) reference_loss.push_back(reference.step().loss.loss);
  Seq2Seq shared(small(data.src_vocab, 0), 11);
  options.communicator = &world;
  Trainer parallel(shared, *shards, options);
  // the same pairs in every step: the losses agree to float rounding (measured: 3e-9)
  for (int i = 0; i < steps; ++i)
    CHECK(parallel.step().loss.loss ==
          Approx(reference_loss[static_cast<size_t>(i)]).epsilon(1e-6));
  CHECK(parallel.position().epoch == 1);
  CHECK(ranks_agree(shared));
  // The first window ends in a batch of 8 pairs, 4 a rank: sums of fewer terms round otherwise,
  // and Adam's normalisation magnifies that where a gradient is near 0 (measured 5.5e-6 after 7
  // steps in the release build; one window of 3 shards, without that batch: 7.4e-7).
  const double difference = max_difference(values(shared), values(alone));
  INFO("largest weight difference " << difference);
  CHECK(difference < 5e-5);
  CHECK(max_difference(values(shared), values(Seq2Seq(small(data.src_vocab, 0), 11))) > 1e-3);
  CHECK(reference_loss.back() < reference_loss.front());
}

TEST_CASE("a global batch smaller than the ranks leaves some ranks idle, with the same update",
          "[mpi]") {
  test::OneThread one;
  Communicator& world = mpi_world();
  const ParallelData data = synthetic_data(8, 5, 30, 2);
  TrainerOptions options{.lr = 0.01, .batch_sentences = 1, .seed = 5};  // a rank has no pair
  Seq2Seq alone(small(data.src_vocab, 0), 4);
  Trainer reference(alone, data, options);
  Seq2Seq shared(small(data.src_vocab, 0), 4);
  options.communicator = &world;
  Trainer parallel(shared, data, options);
  for (int i = 0; i < 3; ++i) {
    const double expected = reference.step().loss.loss;
    CHECK(parallel.step().loss.loss == Approx(expected).epsilon(1e-5));
  }
  CHECK(ranks_agree(shared));
  CHECK(max_difference(values(shared), values(alone)) < 2e-6);
}

TEST_CASE("with dropout every rank draws its own masks and all keep the same weights", "[mpi]") {
  test::OneThread one;
  Communicator& world = mpi_world();
  const ParallelData data = synthetic_data(128, 5, 30, 3);
  const TrainerOptions options{
      .lr = 0.01, .batch_sentences = 32, .seed = 8, .communicator = &world};
  Seq2Seq model(small(data.src_vocab, 0.3f), 6);
  Trainer trainer(model, data, options);
  double first = 0, last = 0;
  for (int i = 0; i < 40; ++i) {
    const double loss = trainer.step().loss.loss;
    (i == 0 ? first : last) = loss;
    // Every rank's dropout stream is its own: the next number drawn differs between ranks (were
    // the masks shared, all would draw the same). agree() is true only when all ranks pass equal
    // values.
    Rng probe = model.dropout_rng();
    CHECK_FALSE(world.agree(probe.next()));
  }
  CHECK(ranks_agree(model));
  CHECK(last < 0.8 * first);  // learning happened
  // The masks counted: the same run without dropout ends elsewhere.
  Seq2Seq plain(small(data.src_vocab, 0), 6);
  Trainer plain_trainer(plain, data, options);
  for (int i = 0; i < 40; ++i) plain_trainer.step();
  CHECK(max_difference(values(model), values(plain)) > 1e-3);
}

TEST_CASE("resuming from a checkpoint under MPI continues as the run that was not stopped",
          "[mpi]") {
  test::OneThread one;
  Communicator& world = mpi_world();
  const ParallelData data = synthetic_data(96, 5, 30, 4);
  const TrainerOptions options{
      .lr = 0.01, .batch_sentences = 32, .seed = 12, .communicator = &world};
  // Every rank reads the file rank 0 writes: a name of this job's own, from mpirun's pid (the
  // ranks' parent), so that two runs of the suite at once do not share it.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("rnmt_test_mpi_resume_" + std::to_string(getppid()) + ".ckpt"))
                               .string();
  Seq2Seq straight(small(data.src_vocab, 0.2f), 9);
  Trainer a(straight, data, options);
  for (int i = 0; i < 8; ++i) a.step();

  Seq2Seq first(small(data.src_vocab, 0.2f), 9);
  Trainer b(first, data, options);
  for (int i = 0; i < 4; ++i) b.step();
  if (world.lead()) b.save_checkpoint(path);  // rank 0 writes, every rank reads
  world.barrier();
  Seq2Seq resumed(small(data.src_vocab, 0.2f), 9);
  Trainer c(resumed, data, options);
  c.load_checkpoint(path);
  for (int i = 0; i < 4; ++i) c.step();
  const auto x = values(straight), y = values(resumed);
  CHECK(x == y);  // bit for bit, dropout included
  CHECK(ranks_agree(resumed));
  world.barrier();
  if (world.lead()) std::filesystem::remove(path);
}

TEST_CASE("ranks whose weights differ are told so, every one of them", "[mpi]") {
  std::vector<float> weights(1000, 0.25f);
  CHECK_NOTHROW(require_same_weights(mpi_world(), weights.data(), weights.size(), 7));
  if (mpi_world().rank() == 1) weights[421] = std::nextafter(weights[421], 1.0f);  // one ulp
  CHECK_THROWS_WITH(require_same_weights(mpi_world(), weights.data(), weights.size(), 7),
                    Catch::Contains("the ranks hold different weights at step 7"));
}
