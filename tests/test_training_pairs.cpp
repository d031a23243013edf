// Training from token-id shards: one shard gives exactly the batches (and the weights) of the same
// pairs in memory; many shards, a window at a time, give every pair once an epoch, and the ranks of
// data parallelism together see each pair once; a run resumed in the middle of a window continues
// bit for bit.
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "model_test_util.hpp"
#include "tests/temp_dir.hpp"
#include "training/epoch_plan.hpp"
#include "training/token_shard.hpp"
#include "training/trainer.hpp"

using namespace rnmt;

namespace {

// Pairs whose source names them: ids 4 + i / 50 and 4 + i % 50, then a length that varies.
ParallelData numbered_pairs(int64_t n, uint64_t seed) {
  Rng rng(seed);
  ParallelData d;
  d.src_vocab = d.tgt_vocab = 60;
  for (int64_t i = 0; i < n; ++i) {
    Sentence s = {static_cast<int32_t>(4 + i / 50), static_cast<int32_t>(4 + i % 50)};
    for (uint64_t k = rng.below(12); k > 0; --k)
      s.push_back(static_cast<int32_t>(4 + rng.below(56)));
    Sentence t(1 + rng.below(14));
    for (auto& id : t) id = static_cast<int32_t>(4 + rng.below(56));
    d.src.push_back(s);
    d.tgt.push_back(t);
  }
  return d;
}

int64_t pair_number(const Batch& b, int64_t n) {
  return (b.src[static_cast<size_t>(n)] - 4) * 50 + (b.src[static_cast<size_t>(b.N + n)] - 4);
}

// Pair i to shard i mod count, as prepare writes them; the shards' paths.
std::vector<std::string> write_shards(const ParallelData& d, int64_t count,
                                      const std::string& name) {
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<ShardWriter>> writers;
  for (int64_t s = 0; s < count; ++s) {
    paths.push_back(test::temp(name + std::to_string(s) + ".shard"));
    writers.push_back(std::make_unique<ShardWriter>(paths.back(), d.src_vocab, d.tgt_vocab));
  }
  for (size_t i = 0; i < d.src.size(); ++i)
    writers[i % static_cast<size_t>(count)]->add(d.src[i], d.tgt[i]);
  for (auto& w : writers) w->finish();
  return paths;
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.N == b.N && a.S == b.S && a.T == b.T && a.src == b.src &&
         a.src_lengths == b.src_lengths && a.tgt_in == b.tgt_in && a.tgt_out == b.tgt_out;
}

}  // namespace

TEST_CASE("one shard gives the batches of the same pairs in memory, with and without </s>",
          "[shards][batching]") {
  const ParallelData data = numbered_pairs(700, 3);
  const auto paths = write_shards(data, 1, "one");
  for (const bool source_eos : {false, true}) {
    INFO("source_eos " << source_eos);
    ParallelData reference = data;
    if (source_eos)
      for (auto& s : reference.src) s.push_back(kEos);
    for (const int64_t tokens : {int64_t{0}, int64_t{200}}) {
      const auto memory = pairs_in_memory(reference);
      const auto shards = pairs_in_shards(paths, source_eos);
      CHECK(shards->pairs() == 700);
      const EpochPlanOptions options{.seed = 5, .batch_sentences = 32, .batch_tokens = tokens};
      EpochPlan a(*memory, options), b(*shards, options);
      for (int64_t epoch = 0; epoch < 2; ++epoch) {
        a.start(epoch);
        b.start(epoch);
        int64_t i = 0;
        for (; a.batch(i); ++i) {
          REQUIRE(b.batch(i));
          REQUIRE(*a.batch(i) == *b.batch(i));
          CHECK(same_batch(a.window().batch(*a.batch(i)), b.window().batch(*b.batch(i))));
        }
        CHECK_FALSE(b.batch(i));
        CHECK(i > 3);
      }
    }
  }
}

TEST_CASE("training from one shard gives the weights training in memory gives",
          "[shards][trainer]") {
  test::OneThread one;
  const ParallelData data = numbered_pairs(120, 4);
  const auto shards = pairs_in_shards(write_shards(data, 1, "weights"), false);
  const TrainerOptions options{.lr = 0.01, .batch_sentences = 16, .seed = 9};
  const ModelConfig config = test::tiny_config(60, {.dropout = 0.2f});
  Seq2Seq from_memory(config, 5), from_shards(config, 5);
  Trainer a(from_memory, data, options), b(from_shards, *shards, options);
  for (int i = 0; i < 10; ++i) CHECK(a.step().loss.loss == b.step().loss.loss);  // crosses an epoch
  CHECK(test::param_values(from_memory) == test::param_values(from_shards));
  CHECK(test::param_values(from_memory) != test::param_values(Seq2Seq(config, 5)));
}

TEST_CASE("many shards, a window at a time: every pair once an epoch, each rank its part once",
          "[shards][batching][distributed]") {
  const ParallelData data = numbered_pairs(1000, 6);
  const auto shards = pairs_in_shards(write_shards(data, 7, "many"), false);
  for (const int64_t window : {int64_t{1}, int64_t{3}, int64_t{7}}) {
    INFO("window " << window);
    EpochPlan plan(*shards, {.seed = 2, .batch_sentences = 24, .shuffle_window = window});
    std::vector<std::vector<int64_t>> first_order;
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
      plan.start(epoch);
      std::map<int64_t, int> seen;  // pair -> times, over all batches
      std::map<int64_t, int> seen_by_ranks[3];
      std::vector<std::vector<int64_t>> order;
      for (int64_t i = 0; const auto* batch = plan.batch(i); ++i) {
        CHECK(batch->size() <= 24);
        const Batch whole = plan.window().batch(*batch);
        std::vector<int64_t> numbers;
        for (int64_t n = 0; n < whole.N; ++n) {
          ++seen[pair_number(whole, n)];
          numbers.push_back(pair_number(whole, n));
        }
        order.push_back(numbers);
        // three ranks read their parts alone: together, the whole batch once
        for (int rank = 0; rank < 3; ++rank) {
          const auto [first, last] = rank_share(batch->size(), rank, 3);
          if (first == last) continue;
          const Batch part = plan.window().batch({batch->begin() + static_cast<long>(first),
                                                  batch->begin() + static_cast<long>(last)});
          for (int64_t n = 0; n < part.N; ++n) ++seen_by_ranks[rank][pair_number(part, n)];
        }
      }
      REQUIRE(seen.size() == 1000);
      CHECK(std::all_of(seen.begin(), seen.end(), [](auto& e) { return e.second == 1; }));
      std::map<int64_t, int> together;
      for (auto& by_rank : seen_by_ranks)
        for (auto& [pair, times] : by_rank) together[pair] += times;
      CHECK(together == seen);
      if (epoch == 0)
        first_order = order;
      else
        CHECK(order != first_order);  // each epoch its own order
    }
  }
}

TEST_CASE("a run resumed in the middle of a window of shards continues bit for bit",
          "[shards][trainer]") {
  test::OneThread one;
  const ParallelData data = numbered_pairs(300, 8);
  const auto shards = pairs_in_shards(write_shards(data, 5, "resume"), true);
  // 5 shards of 60 pairs, windows of 2 (3 windows, 4 + 4 + 2 batches of 32): N = 6 stops in the
  // second window, 2N crosses into the next epoch
  const TrainerOptions options{.lr = 0.01, .batch_sentences = 32, .seed = 3, .shuffle_window = 2};
  const ModelConfig config = test::tiny_config(60, {.dropout = 0.2f});
  const std::string path = test::temp("shards.ckpt");
  const int N = 6;
  Seq2Seq straight(config, 5), first(config, 5), resumed(config, 5);
  Trainer a(straight, *shards, options);
  for (int i = 0; i < 2 * N; ++i) a.step();
  Trainer b(first, *shards, options);
  for (int i = 0; i < N; ++i) b.step();
  b.save_checkpoint(path);
  Trainer c(resumed, *shards, options);
  c.load_checkpoint(path);
  for (int i = 0; i < N; ++i) c.step();
  CHECK(c.position().epoch == 1);
  CHECK(test::param_values(straight) == test::param_values(resumed));
  CHECK(test::param_values(straight) != test::param_values(first));
}
