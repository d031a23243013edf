// Recipes: defaults, every kind of mistake reported with file, line and key, overrides, dumping.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "recipe/recipe.hpp"
#include "tests/temp_dir.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

// Four small data files in a temporary folder; returns the recipe lines that name them.
std::string data_section() {
  const std::filesystem::path dir = test::temp("recipe_data");
  std::filesystem::create_directories(dir);
  for (const char* name : {"train.src", "train.tgt", "valid.src", "valid.tgt"}) {
    std::ofstream(dir / name) << "a b\n";
  }
  const std::string d = dir.string();
  return "data:\n  train: {src: " + d + "/train.src, tgt: " + d + "/train.tgt}\n" +
         "  valid: {src: " + d + "/valid.src, tgt: " + d + "/valid.tgt}\n";
}

}  // namespace

TEST_CASE("a minimal recipe gets the documented defaults", "[recipe]") {
  const Recipe r = parse_recipe("workdir: runs/x\n" + data_section(), "r.yaml");
  CHECK(r.workdir == "runs/x");
  CHECK(r.data.max_length == 100);
  CHECK(r.tokenizer.merges == 8000);
  CHECK(r.model.decoder_cell == DecoderCell::lstm);
  CHECK(r.model.attention == AttentionType::general);
  CHECK(r.model.dropout == 0.2);
  CHECK(r.training.lr == 0.001);
  CHECK(r.training.batch_sentences == 64);
  CHECK(r.validation.every == 500);
  CHECK(r.translate.beam_size == 5);
}

TEST_CASE("recipe mistakes name the file, line and key", "[recipe][errors]") {
  const std::string data = data_section();
  CHECK_THROWS_WITH(parse_recipe(data + "trainnig:\n  lr: 0.1\n", "r.yaml"),
                    Contains("r.yaml:4: trainnig: unknown key (did you mean 'training'?)"));
  CHECK_THROWS_WITH(parse_recipe(data + "training:\n  lr: fast\n", "r.yaml"),
                    Contains("r.yaml:5: training.lr: expects a number, found 'fast'"));
  CHECK_THROWS_WITH(
      parse_recipe(data + "model:\n  decoder: {cell: rnn}\n", "r.yaml"),
      Contains("r.yaml:5: model.decoder.cell: expects one of lstm, gru, clstm, cgru, found 'rnn'"));
  CHECK_THROWS_WITH(parse_recipe(data + "model:\n  attenton: dot\n", "r.yaml"),
                    Contains("model.attenton: unknown key (did you mean 'model.attention'?)"));
  CHECK_THROWS_WITH(parse_recipe(data + "training:\n  batch: 64\n", "r.yaml"),
                    Contains("r.yaml:5: training.batch: is a section"));
  CHECK_THROWS_WITH(parse_recipe(data + "training:\n  max_steps: -3\n", "r.yaml"),
                    Contains("training.max_steps: must be at least 0"));
  CHECK_THROWS_WITH(parse_recipe(data + "workdir: [a, b]\n", "r.yaml"),
                    Contains("r.yaml:4: workdir: expects a single value, found a list"));
  CHECK_THROWS_WITH(parse_recipe("data:\n  train: {src: nowhere.src, tgt: nowhere.tgt}\n"
                                 "  valid: {src: a, tgt: b}\n",
                                 "r.yaml"),
                    Contains("r.yaml:2: data.train.src: no such file 'nowhere.src'"));
  CHECK_THROWS_WITH(parse_recipe("workdir: x\n", "r.yaml"),
                    Contains("data.train.src: is required"));
  CHECK_THROWS_WITH(parse_recipe("workdir: [x\n", "r.yaml"), Contains("r.yaml:2: not valid YAML"));
  CHECK_THROWS_WITH(load_recipe("no/such/recipe.yaml"),
                    Contains("cannot open recipe 'no/such/recipe.yaml'"));
  CHECK_THROWS_WITH(parse_recipe(data + "workdir: \"runs/\xff\"\n", "r.yaml"),
                    Contains("r.yaml:4: workdir: is not valid UTF-8"));
  // a YAML key that is itself a mapping (found by fuzzing: it escaped as a yaml-cpp exception)
  CHECK_THROWS_WITH(parse_recipe(data + "training:\n  ? {a: 1}\n  : 2\n", "r.yaml"),
                    Contains("r.yaml:5: training.?: a key must be a name, not a mapping or list"));
}

TEST_CASE("files may be missing when a prepare command makes them", "[recipe]") {
  const Recipe r = parse_recipe(
      "data:\n  train: {src: a, tgt: b}\n  valid: {src: c, tgt: d}\n"
      "  prepare: ./make-data.sh\n",
      "r.yaml");
  CHECK(r.data.prepare == "./make-data.sh");
}

TEST_CASE("overrides (--set) reach any key and are checked like the file", "[recipe]") {
  const Recipe r =
      parse_recipe(data_section(), "r.yaml",
                   {"training.lr=0.0005", "workdir=/tmp/x", "model.decoder.input_feeding=true"});
  CHECK(r.training.lr == 0.0005);
  CHECK(r.workdir == "/tmp/x");
  CHECK(r.model.input_feeding);
  CHECK_THROWS_WITH(parse_recipe(data_section(), "r.yaml", {"training.lrate=1"}),
                    Contains("--set training.lrate: unknown key (did you mean 'training.lr'?)"));
  CHECK_THROWS_WITH(parse_recipe(data_section(), "r.yaml", {"training.lr"}),
                    Contains("expected KEY=VALUE"));
  CHECK_THROWS_WITH(parse_recipe(data_section(), "r.yaml", {"workdir=runs/\xff"}),
                    Contains("--set workdir: is not valid UTF-8"));
}

TEST_CASE("durations", "[recipe]") {
  CHECK(parse_duration("90s") == 90);
  CHECK(parse_duration("20m") == 1200);
  CHECK(parse_duration("1h30m") == 5400);
  CHECK(parse_duration("45") == 45);
  CHECK_THROWS_WITH(parse_duration("soon"), Contains("expects a duration like 90s"));
  CHECK_THROWS_WITH(parse_duration("5y"), Contains("found '5y'"));
}

TEST_CASE("the dumped recipe parses back to itself", "[recipe]") {
  const Recipe r = parse_recipe(data_section() +
                                    "training: {max_time: 20m, lr: 0.0003}\n"
                                    "model: {attention: additive, dropout: 0.3}\n",
                                "r.yaml");
  const std::string dumped = dump_recipe(r);
  CHECK_THAT(dumped, Contains("  attention: \"additive\"\n"));
  const Recipe again = parse_recipe(dumped, "dumped.yaml");
  CHECK(again.training.max_time_seconds == 1200);
  CHECK(again.training.lr == 0.0003);
  CHECK(dump_recipe(again) == dumped);
  // text with a newline, tab, quotes and backslashes (a newline inside quotes used to come back as
  // a space: found by fuzzing)
  Recipe odd = r;
  odd.data.prepare = "make data &&\n\tprintf '\"%s\\n\"' x";
  CHECK(parse_recipe(dump_recipe(odd), "odd.yaml").data.prepare == odd.data.prepare);
}

TEST_CASE("a key added later leaves fingerprints and model shapes as they were at its default",
          "[recipe]") {
  // model.encoder.source_eos came after workdirs and checkpoints existed: at false, the texts
  // that identify a run's stages and its checkpoints' network do not hold it, so older runs
  // stay up to date and resume; set, it changes both
  Recipe r;
  CHECK(model_shape(r).find("source_eos") == std::string::npos);
  CHECK(dump_recipe_sections(r, {"model"}).find("source_eos") == std::string::npos);
  CHECK(dump_recipe(r).find("source_eos: false") != std::string::npos);  // --dump-config shows it
  const std::string before = model_shape(r);
  r.model.source_eos = true;
  CHECK(model_shape(r).find("source_eos: true") != std::string::npos);
  CHECK(dump_recipe_sections(r, {"model"}).find("source_eos: true") != std::string::npos);
  CHECK(model_shape(r) != before);
}

TEST_CASE("a checkpoint's model section from before a key existed still names its network",
          "[recipe]") {
  // as rnmt wrote it before model.encoder.cell, model.decoder.bridge and model.attention_output
  const std::string older =
      "\nmodel:\n  embedding: 256\n  encoder:\n    layers: 1\n    hidden: 512\n  decoder:\n"
      "    cell: \"lstm\"\n    layers: 1\n    hidden: 512\n    input_feeding: false\n"
      "  attention: \"general\"\n  tied_embeddings: false\n";
  Recipe r;
  r.model.embedding = 256;
  r.model.encoder_hidden = r.model.decoder_hidden = 512;
  CHECK(older != model_shape(r));     // another text...
  CHECK(same_model_shape(older, r));  // ...of the same network
  r.model.encoder_cell = Cell::gru;   // a key it lacks, away from its default: another network
  CHECK_FALSE(same_model_shape(older, r));
  r.model.encoder_cell = Cell::lstm;
  r.model.embedding = 128;
  CHECK_FALSE(same_model_shape(older, r));
  CHECK_THROWS_WITH(same_model_shape("\nmodel: [", r), Contains("a checkpoint's model section"));
}
