// The parts of data-parallel training that need no second process: how a global batch is shared
// among ranks, and which gradients GradientSum sends, when (tests/mpi/ runs the real thing).
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "distributed/communicator.hpp"
#include "distributed/gradient_sum.hpp"
#include "model_test_util.hpp"
#include "training/synthetic.hpp"
#include "training/trainer.hpp"

using namespace rnmt;

namespace {

// Two ranks' worth of bookkeeping: records every sum it is asked to start, and pretends the other
// rank holds the same gradients (a sum doubles them).
class RecordingCommunicator final : public Communicator {
 public:
  struct Sent {
    const float* data;
    size_t n;
  };
  std::vector<Sent> started;
  int finished = 0;
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void sum(double* data, size_t n) override {
    for (size_t i = 0; i < n; ++i) data[i] *= 2;
  }
  void start_sum(float* data, size_t n) override {
    started.push_back({data, n});
    for (size_t i = 0; i < n; ++i) data[i] *= 2;
  }
  void progress() override {}
  void finish_sums() override { ++finished; }
  void broadcast(double*, size_t) override {}
  void barrier() override {}
  bool agree(uint64_t) override { return true; }
  std::unique_ptr<Communicator> split(int) override { return nullptr; }  // not used here
};

}  // namespace

TEST_CASE("a global batch is shared among ranks in contiguous, covering parts", "[distributed]") {
  for (size_t n : {0, 1, 5, 64, 65}) {
    for (int ranks : {1, 2, 3, 8}) {
      size_t next = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const auto [first, last] = rank_share(n, rank, ranks);
        CHECK(first == next);
        CHECK(last >= first);
        CHECK(last - first <= n / static_cast<size_t>(ranks) + 1);  // balanced
        next = last;
      }
      CHECK(next == n);
    }
  }
}

TEST_CASE("gradient buckets cover every gradient once, the output layer's first", "[distributed]") {
  const ParallelData data = synthetic_data(16, 4, 12, 1);
  Seq2Seq model(test::tiny_config(data.src_vocab, {.input_feeding = false}), 3);
  ParamSet& params = model.params();
  RecordingCommunicator comm;
  GradientSum sum(comm, params, 100);  // small buckets: most components take several
  const std::vector<int64_t> all = [&] {
    std::vector<int64_t> v(data.src.size());
    std::iota(v.begin(), v.end(), 0);
    return v;
  }();
  const Batch batch = batch_of(data, all);
  params.zero_grads();
  model.forward(batch, true);
  std::vector<std::string> heard;
  sum.start();
  model.backward(batch, 1.0f, [&](std::string_view component) {
    heard.emplace_back(component);
    sum.component_done(component);
  });
  sum.finish();
  CHECK(comm.finished == 1);
  REQUIRE_FALSE(heard.empty());
  CHECK(heard.front() == "output");  // the first gradients final, and the first sent
  // every float of the arena in exactly one bucket, none over the bucket size
  std::vector<int> covered(params.total(), 0);
  for (const auto& s : comm.started) {
    CHECK(s.n <= 100);
    for (size_t i = 0; i < s.n; ++i) ++covered[static_cast<size_t>(s.data - params.grads()) + i];
  }
  size_t floats = 0;  // the parameters' own (the arena pads each to a 64-byte boundary)
  for (const Param& p : params.params()) {
    floats += p.size;
    for (size_t i = p.offset; i < p.offset + p.size; ++i) CHECK(covered[i] == 1);
  }
  CHECK(std::count(covered.begin(), covered.end(), 1) == static_cast<long>(floats));
  // the first bucket started is the output layer's
  const size_t first = static_cast<size_t>(comm.started.front().data - params.grads());
  CHECK(first >= params.find("output.weight").offset);
  // a rank with no share of the batch sends the same buckets in the same order (MPI matches
  // collectives by their order), and a second step sends everything again
  const size_t first_step = comm.started.size();
  sum.start();
  sum.finish();
  size_t again = 0;
  REQUIRE(comm.started.size() == 2 * first_step);
  for (size_t i = first_step; i < comm.started.size(); ++i) {
    CHECK(comm.started[i].data == comm.started[i - first_step].data);
    CHECK(comm.started[i].n == comm.started[i - first_step].n);
    again += comm.started[i].n;
  }
  CHECK(again == floats);
}
