// Checkpoint averaging: of model files (rnmt average) and of a run's last step checkpoints
// (export.average), with the refusals that keep it to one architecture.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "model_file/average.hpp"
#include "model_file/weights.hpp"
#include "pipeline/stages.hpp"
#include "tests/model_fixture.hpp"
#include "tests/model_test_util.hpp"
#include "tests/temp_dir.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/synthetic.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

std::vector<float> weights_of(const std::string& bytes) {
  std::vector<float> w(bytes.size() / sizeof(float));
  std::memcpy(w.data(), bytes.data(), bytes.size());
  return w;
}

std::string written(const ModelFile& f, const std::string& name) {
  const std::string path = temp(name);
  write_archive(f.archive(), path);
  return path;
}

}  // namespace

TEST_CASE("averaging identical models is the identity, two models give their mean", "[average]") {
  ModelFile a, b;
  // Known weights: a holds i/8, b holds 1 - i/8 (dyadic, so every mean is exact in float).
  ParamSet& pa = a.network->params();
  ParamSet& pb = b.network->params();
  for (size_t i = 0; i < pa.total(); ++i) {
    pa.values()[i] = static_cast<float>(i % 64) / 8.0f;
    pb.values()[i] = 1.0f - static_cast<float>(i % 64) / 8.0f + static_cast<float>(i % 3);
  }
  const std::string path_a = written(a, "avg_a.rnmt"), path_b = written(b, "avg_b.rnmt");
  const ModelFileContents same = average_model_files({path_a, path_a, path_a});
  CHECK(same.weights == weight_bytes(pa));
  CHECK(same.recipe == dump_recipe(a.recipe));
  CHECK(same.src_tokenizer == a.src_tok);
  const std::vector<float> mean = weights_of(average_model_files({path_a, path_b}).weights);
  REQUIRE(mean.size() == pa.total());
  for (size_t i = 0; i < mean.size(); ++i)
    CHECK(mean[i] == (pa.values()[i] + pb.values()[i]) / 2.0f);
  // the result is a usable model file with the first file's recipe and tokenizers
  const std::string out = temp("avg_out.rnmt");
  write_model_file(average_model_files({path_a, path_b}), out);
  const LoadedModel m = load_model(out);
  CHECK(std::memcmp(m.network->params().values(), mean.data(), mean.size() * sizeof(float)) == 0);
  for (const auto& p : {path_a, path_b, out}) std::filesystem::remove(p);
}

TEST_CASE("models of different architectures or tokenizers are not averaged", "[average][errors]") {
  ModelFile a, wider(
                   "workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
                   "{hidden: 12}}\n");
  ModelFile other_tokens;
  other_tokens.tgt_tok = tokenizer_text({"x", "y", "z", "v"});
  ModelFile more_dropout(
      "workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
      "{hidden: 10}, dropout: 0.5}\n");
  const std::string pa = written(a, "avg_a.rnmt"), pw = written(wider, "avg_w.rnmt"),
                    pt = written(other_tokens, "avg_t.rnmt"),
                    pd = written(more_dropout, "avg_d.rnmt");
  CHECK_THROWS_WITH(average_model_files({pa, pw}), Contains("cannot average '" + pa + "' and '" +
                                                            pw + "': their model sections differ"));
  CHECK_THROWS_WITH(average_model_files({pa, pt}), Contains("their target tokenizers differ"));
  CHECK_NOTHROW(average_model_files({pa, pd}));  // dropout does not change what weights mean
  CHECK_THROWS_WITH(average_model_files({pa, pa + ".missing"}), Contains("cannot open"));
  // weights that are not a whole number of floats are refused, by averaging and by loading
  Archive odd = a.archive();
  odd.sections["params"].pop_back();
  const std::string po = temp("avg_odd.rnmt");
  write_archive(odd, po);
  CHECK_THROWS_WITH(average_model_files({pa, po}), Contains("not a whole number of floats"));
  CHECK_THROWS_WITH(load_model(po), Contains("not a whole number of floats"));
  std::filesystem::remove(po);
  for (const auto& p : {pa, pw, pt, pd}) std::filesystem::remove(p);
}

TEST_CASE("export.average takes the mean of the last N step checkpoints", "[average]") {
  const std::filesystem::path work = test::temp("export_average");
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work / "train");
  ModelConfig config = small_config(Cell::lstm, false);
  const ParallelData data = synthetic_data(32, 4, 10, 1);
  config.src_vocab = data.src_vocab;
  config.tgt_vocab = data.tgt_vocab;
  Seq2Seq model(config, 1);
  Trainer trainer(model, data, {.batch_sentences = 8});
  const CheckpointDirectory checkpoints{(work / "train").string()};
  std::vector<std::vector<float>> saved;
  for (int i = 0; i < 3; ++i) {
    trainer.step();
    checkpoints.save_step(trainer, {}, 3);
    saved.push_back(weights_of(weight_bytes(model.params())));
  }
  save_weights(model.params(), checkpoints.best());
  Recipe r;
  r.workdir = work.string();
  std::ostringstream log;
  CHECK(final_weights(r, log) == weight_bytes(model.params()));  // average 1: the best weights
  r.export_model.average = 2;
  const std::vector<float> mean = weights_of(final_weights(r, log));
  REQUIRE(mean.size() == saved[2].size());
  for (size_t i = 0; i < mean.size(); ++i)
    CHECK(mean[i] == Approx((static_cast<double>(saved[1][i]) + saved[2][i]) / 2).epsilon(1e-7));
  CHECK_THAT(log.str(), Contains("averaging the last 2 checkpoints (step-2.ckpt, step-3.ckpt)"));
  checkpoints.clear();
  CHECK_THROWS_WITH(final_weights(r, log), Contains("export.average: no step checkpoints in"));
  std::filesystem::remove_all(work);
}

TEST_CASE("a recipe cannot average more checkpoints than it keeps", "[average][recipe]") {
  CHECK_THROWS_WITH(
      parse_recipe("validation: {keep: 2}\nexport: {average: 3}\n", "r.yaml", {}, false),
      Contains("r.yaml:2: export.average: averages the last 3 checkpoints, but "
               "validation.keep keeps 2"));
  CHECK(parse_recipe("export: {average: 3}\n", "r.yaml", {}, false).export_model.average == 3);
}
