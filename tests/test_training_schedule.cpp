// The training loop's parts: learning-rate schedules, the validation record (best, patience,
// plateau halving, exact round trip), and the checkpoint directory's rotation.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "tests/model_test_util.hpp"
#include "tests/temp_dir.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/schedule.hpp"
#include "training/synthetic.hpp"
#include "training/validation_record.hpp"

using namespace rnmt;
namespace fs = std::filesystem;

TEST_CASE("learning-rate schedules: warm-up, inverse square root, plateau factor", "[training]") {
  const LearningRateSchedule constant{0.001, LrSchedule::constant, 0};
  CHECK(learning_rate(constant, 1, 1.0) == 0.001);
  CHECK(learning_rate(constant, 5000, 1.0) == 0.001);
  const LearningRateSchedule warm{0.001, LrSchedule::constant, 100};
  CHECK(learning_rate(warm, 1, 1.0) == Approx(0.001 / 100));
  CHECK(learning_rate(warm, 50, 1.0) == Approx(0.0005));
  CHECK(learning_rate(warm, 100, 1.0) == Approx(0.001));
  CHECK(learning_rate(warm, 400, 1.0) == Approx(0.001));
  const LearningRateSchedule inverse{0.001, LrSchedule::inverse_sqrt, 100};
  CHECK(learning_rate(inverse, 50, 1.0) == Approx(0.0005));    // linear warm-up
  CHECK(learning_rate(inverse, 100, 1.0) == Approx(0.001));    // the peak
  CHECK(learning_rate(inverse, 400, 1.0) == Approx(0.0005));   // sqrt(100/400)
  CHECK(learning_rate(inverse, 400, 0.25) == Approx(0.0005));  // no plateau factor here
  const LearningRateSchedule plateau{0.001, LrSchedule::plateau, 0};
  CHECK(learning_rate(plateau, 10, 0.25) == Approx(0.00025));
}

TEST_CASE("the validation record: new bests, patience, plateau halving, exact text", "[training]") {
  ValidationRecord r;
  CHECK(record_validation(r, 10.0, 100, true));  // the first score is a best
  CHECK(r.best == 10.0);
  CHECK(r.best_step == 100);
  CHECK_FALSE(record_validation(r, 9.0, 200, true));
  CHECK_FALSE(record_validation(r, 10.0, 300, true));  // equal is no improvement
  CHECK(r.bad == 2);
  CHECK(r.lr_scale == 0.25);
  CHECK(patience_exhausted(r, 2));
  CHECK_FALSE(patience_exhausted(r, 3));
  CHECK_FALSE(patience_exhausted(r, 0));  // 0: never
  CHECK(record_validation(r, 10.5, 400, true));
  CHECK(r.bad == 0);
  CHECK(r.best_step == 400);
  ValidationRecord no_halving;
  record_validation(no_halving, 1.0, 1, false);
  record_validation(no_halving, 0.5, 2, false);
  CHECK(no_halving.lr_scale == 1.0);

  r.best = 0.1 + 0.2;  // not exactly representable in short decimal
  const ValidationRecord back = parse_validation_record(format_validation_record(r));
  CHECK(back.best == r.best);
  CHECK(back.best_step == r.best_step);
  CHECK(back.bad == r.bad);
  CHECK(back.lr_scale == r.lr_scale);
  CHECK(std::isnan(parse_validation_record(format_validation_record({})).best));
}

TEST_CASE("the checkpoint directory keeps the newest step checkpoints and last.ckpt",
          "[training]") {
  const fs::path dir = test::temp("checkpoint_directory");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const CheckpointDirectory checkpoints{dir.string()};
  ModelConfig config = test::small_config(Cell::gru, false);
  const ParallelData data = synthetic_data(32, 4, 10, 1);
  config.src_vocab = data.src_vocab;
  config.tgt_vocab = data.tgt_vocab;
  Seq2Seq model(config, 1);
  Trainer trainer(model, data, {.batch_sentences = 8});
  RunCheckpointSections sections;
  sections.model_shape = "the model section";
  sections.pretrained_embeddings = "src: a.vec";
  for (int i = 0; i < 4; ++i) {
    trainer.step();
    record_validation(sections.validation, 10.0 * i, trainer.position().step, false);
    checkpoints.save_step(trainer, sections, 2);
  }
  CHECK_FALSE(fs::exists(dir / "step-1.ckpt"));
  CHECK_FALSE(fs::exists(dir / "step-2.ckpt"));
  CHECK(fs::exists(dir / "step-3.ckpt"));
  CHECK(fs::exists(dir / "step-4.ckpt"));
  CHECK(fs::equivalent(dir / "step-4.ckpt", checkpoints.last()));  // a hard link, not a copy
  Seq2Seq resumed_model(config, 2);
  Trainer resumed(resumed_model, data, {.batch_sentences = 8});
  const RunCheckpointSections loaded =
      checkpoints.load_last(resumed, [](const RunCheckpointSections& stored) {
        CHECK(stored.model_shape == "the model section");
      });
  CHECK(resumed.position().step == 4);
  CHECK(loaded.validation.best == 30.0);
  CHECK(loaded.validation.best_step == 4);
  CHECK(loaded.pretrained_embeddings == "src: a.vec");
  const auto outcome = checkpoints.last_outcome();
  REQUIRE(outcome);
  CHECK(outcome->steps == 4);
  CHECK(outcome->validation->best == 30.0);
  CHECK_THROWS_WITH(
      checkpoints.load_last(resumed, [](const RunCheckpointSections&) { throw Error("refused"); }),
      "refused");
  checkpoints.clear();
  CHECK_FALSE(fs::exists(checkpoints.last()));
  CHECK_FALSE(fs::exists(dir / "step-4.ckpt"));
  CHECK_FALSE(checkpoints.last_outcome());
  fs::remove_all(dir);
}
