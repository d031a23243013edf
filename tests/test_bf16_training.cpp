// Training in bf16 (Seq2Seq::set_training_compute) against float32: the recurrent layers forward
// and backward, the whole network's loss and gradients, and learning the reversal task. Finite-
// difference checks stay in float32 (test_gradients.cpp). On a CPU without bf16 every case here is
// reported as skipped, after checking that bf16 training is refused with a message naming the
// missing instructions.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/training_precision.hpp"
#include "model/seq2seq.hpp"
#include "rnn/rnn_layer.hpp"
#include "test_util.hpp"
#include "tests/model_test_util.hpp"
#include "tests/skip.hpp"

using namespace rnmt;

namespace {

// On a CPU without bf16: the refusal is checked, then the case is skipped (returns true).
bool skipped_without_bf16() {
  if (bf16_supported()) return false;
  CHECK(training_compute(TrainingPrecision::automatic) == ComputeType::f32);
  CHECK_THROWS_WITH(training_compute(TrainingPrecision::bfloat16),
                    Catch::Matchers::Contains("needs a CPU with AVX-512 BF16 or AMX"));
  test::skip_test("this CPU has no bf16 instructions (AVX-512 BF16 or AMX)");
  return true;
}

// How far apart two vectors are: |a - b| / |b| (Euclidean norms), and whether they differ at all.
struct Distance {
  double relative = 0;
  bool differs = false;
};
Distance distance(const float* a, const float* b, int64_t n) {
  double diff = 0, norm = 0;
  bool differs = false;
  for (int64_t i = 0; i < n; ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
    differs = differs || a[i] != b[i];
  }
  return {std::sqrt(diff / std::max(norm, 1e-30)), differs};
}

// bf16 keeps 8 significant bits (relative rounding 2^-9); sums of many rounded products stay
// within a few times that, relative to the result's norm.
constexpr double kBf16Tolerance = 0.01;

}  // namespace

TEST_CASE("a bf16 recurrent layer trains as its float32 twin within bf16 rounding", "[bf16][rnn]") {
  if (skipped_without_bf16()) return;
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const bool with_h0 = GENERATE(false, true);
  const int64_t T = 7, N = 5, I = 48, H = 64, NH = N * H;
  const bool lstm = cell == Cell::lstm;
  ParamSet params32, params16;
  RnnLayer exact(params32, "rnn", cell, I, H), rounded(params16, "rnn", cell, I, H);
  params32.allocate();
  params16.allocate();
  Rng rng(3);
  exact.init(rng);
  std::copy(params32.values(), params32.values() + params32.total(), params16.values());
  rounded.set_training_compute(ComputeType::bf16);

  Tensor x({T, N, I}), h0({N, H}), c0({N, H}), dy({T, N, H}), dhT({N, H}), dcT({N, H});
  for (Tensor* t : {&x, &h0, &c0, &dy, &dhT, &dcT}) test::fill_uniform(*t, rng, 1.0f);
  struct Run {
    Tensor y{{7, 5, 64}}, hT{{5, 64}}, cT{{5, 64}}, dx{{7, 5, 48}}, dh0{{5, 64}}, dc0{{5, 64}};
    Tensor workspace;
  };
  Run r32, r16;
  const auto run = [&](RnnLayer& layer, Run& r) {
    r.workspace.resize({static_cast<int64_t>(layer.workspace_floats(T, N))});
    const RnnForward f{.T = T,
                       .N = N,
                       .x = x.data(),
                       .h0 = with_h0 ? h0.data() : nullptr,
                       .c0 = lstm && with_h0 ? c0.data() : nullptr,
                       .y = r.y.data(),
                       .hT = r.hT.data(),
                       .cT = lstm ? r.cT.data() : nullptr,
                       .workspace = r.workspace.data()};
    layer.forward(f);
    layer.backward({.forward = f,
                    .dy = dy.data(),
                    .dhT = dhT.data(),
                    .dcT = lstm ? dcT.data() : nullptr,
                    .dx = r.dx.data(),
                    .dh0 = r.dh0.data(),
                    .dc0 = lstm ? r.dc0.data() : nullptr});
  };
  params32.zero_grads();
  params16.zero_grads();
  run(exact, r32);
  run(rounded, r16);

  const auto check = [](const char* what, const float* got, const float* want, int64_t n) {
    const Distance d = distance(got, want, n);
    INFO(what << ": relative distance " << d.relative);
    CHECK(d.relative < kBf16Tolerance);
    return d.differs;
  };
  // Rounding happened (the outputs differ from float32's) and stayed within bf16's error.
  CHECK(check("y", r16.y.data(), r32.y.data(), T * NH));
  check("hT", r16.hT.data(), r32.hT.data(), NH);
  if (lstm) check("cT", r16.cT.data(), r32.cT.data(), NH);
  check("dx", r16.dx.data(), r32.dx.data(), T * N * I);
  check("dh0", r16.dh0.data(), r32.dh0.data(), NH);
  if (lstm) check("dc0", r16.dc0.data(), r32.dc0.data(), NH);
  check("weight and bias gradients", params16.grads(), params32.grads(),
        static_cast<int64_t>(params32.total()));
  // hT is the last output exactly, as in float32.
  for (int64_t i = 0; i < NH; ++i) REQUIRE(r16.hT[i] == r16.y[(T - 1) * NH + i]);
}

TEST_CASE("a bf16 network gives float32's loss and gradients within bf16 rounding",
          "[bf16][training]") {
  if (skipped_without_bf16()) return;
  // (conditional cells take no input feeding)
  const auto [decoder, feeding] = GENERATE(table<DecoderCell, bool>({{DecoderCell::lstm, false},
                                                                     {DecoderCell::lstm, true},
                                                                     {DecoderCell::gru, false},
                                                                     {DecoderCell::gru, true},
                                                                     {DecoderCell::cgru, false}}));
  ModelConfig config = test::small_config(Cell::lstm, feeding);
  config.decoder_cell = decoder;
  if (decoder == DecoderCell::cgru) config.attention = AttentionType::additive;
  const Batch batch =
      test::batch_of(test::kReversalSources, test::shifted_reversals(test::kReversalSources));
  Seq2Seq exact(config, 4), rounded(config, 4);
  rounded.set_training_compute(ComputeType::bf16);
  double losses[2];
  int i = 0;
  for (Seq2Seq* model : {&exact, &rounded}) {
    model->params().zero_grads();
    losses[i++] = model->forward(batch, true).loss;
    model->backward(batch, 1.0f / static_cast<float>(batch.tgt_tokens));
  }
  INFO("loss float32 " << losses[0] << ", bf16 " << losses[1]);
  CHECK(losses[1] != losses[0]);
  CHECK(std::abs(losses[1] - losses[0]) < 0.01 * losses[0]);
  const ParamSet& g32 = exact.params();
  const ParamSet& g16 = rounded.params();
  const Distance all = distance(g16.grads(), g32.grads(), static_cast<int64_t>(g32.total()));
  INFO("gradient relative distance " << all.relative);
  CHECK(all.differs);
  CHECK(all.relative < 2 * kBf16Tolerance);
}

TEST_CASE("a bf16 run learns the reversal task as float32 does", "[bf16][training]") {
  if (skipped_without_bf16()) return;
  const bool feeding = GENERATE(false, true);
  const Batch batch =
      test::batch_of(test::kReversalSources, test::shifted_reversals(test::kReversalSources));
  Seq2Seq exact(test::small_config(Cell::lstm, feeding), 1);
  Seq2Seq rounded(test::small_config(Cell::lstm, feeding), 1);
  rounded.set_training_compute(ComputeType::bf16);
  const auto l32 = test::train_on(exact, batch, 150);
  const auto l16 = test::train_on(rounded, batch, 150);
  INFO("float32: " << l32.front() << " -> " << l32.back() << "; bf16: " << l16.front() << " -> "
                   << l16.back());
  CHECK(l16.front() > 0.8 * std::log(16.0));  // starts near uniform
  CHECK(l16.back() < 0.05);                   // ends near zero, as float32 does
  CHECK(l32.back() < 0.05);
}

TEST_CASE("training.precision: auto follows the CPU, float32 is exact, int8 is refused",
          "[bf16][training]") {
  CHECK(training_compute(TrainingPrecision::float32) == ComputeType::f32);
  CHECK(training_compute(TrainingPrecision::automatic) ==
        (bf16_supported() ? ComputeType::bf16 : ComputeType::f32));
  const std::string line = training_precision_description(TrainingPrecision::automatic);
  CHECK_THAT(line, Catch::Matchers::Contains(bf16_supported() ? "bfloat16" : "float32"));
  Seq2Seq model(test::small_config(Cell::lstm, false), 1);
  CHECK_THROWS_WITH(model.set_training_compute(ComputeType::int8),
                    Catch::Matchers::Contains("int8"));
  if (!bf16_supported())
    CHECK_THROWS_WITH(model.set_training_compute(ComputeType::bf16),
                      Catch::Matchers::Contains("AVX-512 BF16 or AMX"));
}
