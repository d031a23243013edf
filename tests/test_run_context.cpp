// A run stops when its caller asks (the library owns no signals): training with a checkpoint,
// data.prepare's command and evaluation at their next check, a sweep with its tables; and $RNMT
// reaches data.prepare without the library touching its own environment.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/files.hpp"
#include "pipeline/quickstart_data.hpp"
#include "pipeline/run.hpp"
#include "sweep/sweep.hpp"
#include "tests/temp_dir.hpp"

using namespace rnmt;
namespace fs = std::filesystem;

namespace {

// A tiny quickstart recipe in its own folder, with `extra` lines appended.
std::string write_recipe(const std::string& name, const std::string& extra = "") {
  const std::string dir = test::temp(name);
  fs::create_directories(dir);
  if (!fs::exists(test::temp("data/train.en")))
    write_quickstart_data(test::temp("data"), {.train = 600, .valid = 40, .test = 30});
  const std::string data = test::temp("data");
  std::ofstream(dir + "/recipe.yaml")
      << "workdir: " << dir << "/work\n"
      << "data:\n"
      << "  train: {src: " << data << "/train.en, tgt: " << data << "/train.es}\n"
      << "  valid: {src: " << data << "/valid.en, tgt: " << data << "/valid.es}\n"
      << "  test: {src: " << data << "/test.en, tgt: " << data << "/test.es}\n"
      << "tokenizer: {bpe: {merges: 50}}\n"
      << "model: {embedding: 8, encoder: {hidden: 8}, decoder: {hidden: 8}}\n"
      << "training: {threads: 1, max_steps: 100000, batch: {sentences: 16}}\n"
      << "validation: {every: 100000, metric: loss}\n"
      << extra;
  return dir + "/recipe.yaml";
}

// check_stop answers true from its n-th call on.
RunContext stop_after(int n, int& calls) {
  RunContext context;
  context.check_stop = [n, &calls] { return ++calls >= n; };
  return context;
}

// N of "train: stopped at step N (interrupted)" on the log; -1 without it.
int64_t stopped_step(const std::string& log) {
  const std::string head = "train: stopped at step ";
  const size_t at = log.find(head);
  if (at == std::string::npos || log.find("(interrupted)", at) == std::string::npos) return -1;
  return std::stoll(log.substr(at + head.size()));
}

}  // namespace

TEST_CASE("a stop request ends training with a checkpoint, and the run resumes from it", "[run]") {
  const std::string recipe_path = write_recipe("stop_training");
  const Recipe recipe = load_recipe(recipe_path);
  int calls = 0;
  std::ostringstream log;
  // prepare checks a few times, then training once a step: stop after some steps
  CHECK(run_recipe(recipe, std::nullopt, log, local_communicator(), Stage::export_model,
                   stop_after(30, calls)) == 130);
  INFO(log.str());
  const int64_t stopped = stopped_step(log.str());
  CHECK(stopped > 0);
  CHECK(stopped < 40);
  const std::string last = recipe.workdir + "/train/last.ckpt";
  REQUIRE(fs::exists(last));
  CHECK(!fs::exists(recipe.workdir + "/train.done"));
  CHECK(!fs::exists(recipe.workdir + "/model.rnmt"));
  // the stop came well before max_steps, and the same run goes on from the checkpoint
  Recipe shorter = recipe;
  shorter.training.max_steps = 40;
  std::ostringstream again;
  CHECK(run_recipe(shorter, std::nullopt, again) == 0);
  CHECK_THAT(again.str(), Catch::Contains("train: resuming from"));
  CHECK(fs::exists(recipe.workdir + "/model.rnmt"));
}

TEST_CASE("a stop request ends data.prepare's command and the prepare stage", "[run]") {
  const std::string marker = test::temp("prepare_ran_to_the_end");
  // the data files are missing, so data.prepare runs: a command that would take a minute
  const std::string recipe_path = write_recipe("stop_prepare", "");
  Recipe recipe = load_recipe(recipe_path);
  recipe.data.train.src = test::temp("stop_prepare/missing.en");
  recipe.data.prepare = "sleep 60; touch " + marker;
  int calls = 0;
  std::ostringstream log;
  const auto start = std::chrono::steady_clock::now();
  CHECK(run_recipe(recipe, std::nullopt, log, local_communicator(), Stage::export_model,
                   stop_after(3, calls)) == 130);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK_THAT(log.str(), Catch::Contains("interrupted"));
  CHECK(!fs::exists(recipe.workdir + "/prepare.done"));
  CHECK(!fs::exists(marker));
}

TEST_CASE("a stop request ends evaluation between batches, with no scores written", "[run]") {
  const Recipe recipe = load_recipe(write_recipe("stop_evaluate"), {"training.max_steps=5"});
  std::ostringstream log;
  REQUIRE(run_recipe(recipe, std::nullopt, log, local_communicator(), Stage::train) == 0);
  RunContext stop_now;
  stop_now.stop.request();
  CHECK(run_recipe(recipe, Stage::evaluate, log, local_communicator(), Stage::export_model,
                   stop_now) == 130);
  CHECK(!fs::exists(recipe.workdir + "/evaluate/scores.txt"));
  CHECK(!fs::exists(recipe.workdir + "/evaluate.done"));
  // and without a stop it evaluates
  CHECK(run_recipe(recipe, Stage::evaluate, log) == 0);
  CHECK(fs::exists(recipe.workdir + "/evaluate/scores.txt"));
}

TEST_CASE("data.prepare sees $RNMT from the context, and the process's own environment stays",
          "[run]") {
  const std::string out = test::temp("rnmt_seen.txt");
  Recipe recipe = load_recipe(write_recipe("rnmt_env"), {"training.max_steps=1"});
  recipe.data.train.src = test::temp("rnmt_env/made.en");
  recipe.data.prepare = "printf '%s' \"$RNMT\" > " + out + " && cp " + test::temp("data/train.en") +
                        " " + recipe.data.train.src;
  unsetenv("RNMT");
  RunContext context;
  context.rnmt_command = "/some/where/rnmt";
  std::ostringstream log;
  CHECK(run_recipe(recipe, std::nullopt, log, local_communicator(), Stage::prepare, context) == 0);
  CHECK(read_whole_file(out, "output") == "/some/where/rnmt");
  CHECK(std::getenv("RNMT") == nullptr);
}

TEST_CASE("a stop request ends a sweep's trial and the sweep writes its tables", "[run][sweep]") {
  const std::string recipe_path = write_recipe("stop_sweep");
  const std::string space = test::temp("stop_sweep/space.yaml");
  std::ofstream(space) << "training.lr: [0.001, 0.003]\n";
  SweepOptions options;
  options.recipe_path = recipe_path;
  options.space_path = space;
  options.workdir = test::temp("stop_sweep/sweep");
  int calls = 0;
  std::ostringstream log;
  CHECK(run_sweep(options, log, local_communicator(), stop_after(40, calls)) == 130);
  INFO(log.str());
  CHECK_THAT(log.str(), Catch::Contains("sweep: interrupted after 0 of 2 trials"));
  CHECK(fs::exists(options.workdir + "/results.txt"));
  CHECK(fs::exists(options.workdir + "/trials/001/train/last.ckpt"));
  CHECK(!fs::exists(options.workdir + "/trials/002"));
}

TEST_CASE("a data.prepare command that fails is an error naming how it ended", "[run][errors]") {
  Recipe recipe = load_recipe(write_recipe("prepare_fails"));
  recipe.data.train.src = test::temp("prepare_fails/missing.en");
  std::ostringstream log;
  recipe.data.prepare = "exit 3";
  CHECK_THROWS_WITH(run_recipe(recipe, std::nullopt, log),
                    Catch::Contains("data.prepare command failed (exit status 3): exit 3"));
  recipe.data.prepare = "kill -TERM $$";
  CHECK_THROWS_WITH(run_recipe(recipe, std::nullopt, log),
                    Catch::Contains("data.prepare command failed (signal 15): kill -TERM $$"));
  recipe.data.prepare = "true";  // succeeds, and makes nothing
  CHECK_THROWS_WITH(run_recipe(recipe, std::nullopt, log),
                    Catch::Contains("is missing (and data.prepare did not make it)"));
}

TEST_CASE("stage fingerprints read the recipe's values, not the order or style of its lines",
          "[run][fingerprint]") {
  const std::string data =
      "data: {train: {src: a.src, tgt: a.tgt}, valid: {src: v.src, tgt: v.tgt}}\n";
  const std::string in_order = "workdir: w\n" + data +
                               "model:\n  embedding: 16\n  encoder: {hidden: 8}\n"
                               "training: {lr: 0.01, seed: 3}\n"
                               "translate: {beam_size: 3, length_penalty: 1.0}\n";
  const std::string reordered =
      "translate:\n  length_penalty: 1.0\n  beam: 3\n"
      "training: {seed: 3, lr: 0.01}\n"
      "model: {encoder: {hidden: 8}, embedding: 16}\n" +
      data + "workdir: w\n";
  const Recipe a = parse_recipe(in_order, "a.yaml", {}, false);
  const Recipe b = parse_recipe(reordered, "b.yaml", {}, false);
  for (Stage stage : {Stage::prepare, Stage::train, Stage::evaluate, Stage::export_model})
    CHECK(stage_fingerprint(a, stage) == stage_fingerprint(b, stage));

  // a change reruns its stage and the ones after it, not the ones before
  const Recipe wider = parse_recipe(in_order, "a.yaml", {"model.embedding=32"}, false);
  CHECK(stage_fingerprint(wider, Stage::prepare) == stage_fingerprint(a, Stage::prepare));
  CHECK(stage_fingerprint(wider, Stage::train) != stage_fingerprint(a, Stage::train));
  const Recipe beam = parse_recipe(in_order, "a.yaml", {"translate.beam_size=4"}, false);
  CHECK(stage_fingerprint(beam, Stage::train) == stage_fingerprint(a, Stage::train));
  CHECK(stage_fingerprint(beam, Stage::evaluate) != stage_fingerprint(a, Stage::evaluate));

  // the shard keys came later: at their defaults a stage's fingerprint does not hold them (an
  // older run stays up to date); set, they change how training reads its data, so its stage
  CHECK(dump_recipe_sections(a, {"training", "data"}).find("shuffle_window") == std::string::npos);
  for (const char* key : {"data.shard_pairs=1000", "training.shuffle_window=3"}) {
    INFO(key);
    const Recipe sharded = parse_recipe(in_order, "a.yaml", {key}, false);
    CHECK(stage_fingerprint(sharded, Stage::prepare) == stage_fingerprint(a, Stage::prepare));
    CHECK(stage_fingerprint(sharded, Stage::train) != stage_fingerprint(a, Stage::train));
  }
}
