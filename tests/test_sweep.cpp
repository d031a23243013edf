// rnmt sweep's parts: search spaces (and their errors with file, line and key), grid and random
// trials, successive halving's promotions, the results table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "recipe/recipe.hpp"
#include "sweep/search_space.hpp"
#include "sweep/successive_halving.hpp"
#include "sweep/sweep_table.hpp"
#include "sweep/trial_plan.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

// The Error message that parsing `yaml` as a space file gives.
std::string space_error(const std::string& yaml) {
  try {
    parse_search_space(yaml, "space.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a space file takes lists, single values and ranges, dotted or nested", "[sweep]") {
  const SearchSpace s = parse_search_space(
      "# comment\n"
      "model.decoder.cell: [lstm, gru]\n"
      "training:\n"
      "  lr: {log_uniform: [1e-4, 3e-3]}\n"
      "  batch: {sentences: [32, 64]}\n"
      "model.dropout: {uniform: [0.1, 0.4]}\n"
      "model.decoder.hidden: {int_log_uniform: [64, 512]}\n"
      "validation.metric: loss\n",
      "space.yaml");
  REQUIRE(s.dimensions.size() == 6);
  CHECK(s.dimensions[0].key == "model.decoder.cell");
  CHECK(s.dimensions[0].values == std::vector<std::string>{"lstm", "gru"});
  CHECK(s.dimensions[1].key == "training.lr");
  CHECK(s.dimensions[1].line == 4);
  CHECK(s.dimensions[1].distribution == Distribution::log_uniform);
  CHECK(s.dimensions[1].low == 1e-4);
  CHECK(s.dimensions[1].high == 3e-3);
  CHECK(s.dimensions[2].key == "training.batch.sentences");
  CHECK(s.dimensions[3].distribution == Distribution::uniform);
  CHECK(s.dimensions[4].distribution == Distribution::int_log_uniform);
  CHECK(s.dimensions[5].values == std::vector<std::string>{"loss"});
}

TEST_CASE("a bad space file is refused naming its file, line and key", "[sweep]") {
  CHECK_THAT(space_error("model.dropout: [0.1]\nmodel.decoder.cell: [lstm, rnn]\n"),
             Contains("space.yaml:2: model.decoder.cell: expects one of") && Contains("'rnn'"));
  CHECK_THAT(space_error("model.dropot: [0.1, 0.2]\n"),
             Contains("space.yaml:1: model.dropot: unknown key") &&
                 Contains("did you mean 'model.dropout'"));
  CHECK_THAT(space_error("training:\n  lr: [0.001, fast]\n"),
             Contains("space.yaml:2: training.lr: expects a number, found 'fast'"));
  CHECK_THAT(space_error("model.decoder.cell: {uniform: [0, 1]}\n"),
             Contains("space.yaml:1: model.decoder.cell: is not a number"));
  CHECK_THAT(space_error("model.decoder.hidden: {uniform: [64, 512]}\n"),
             Contains("space.yaml:1: model.decoder.hidden: takes whole numbers: use int_uniform"));
  CHECK_THAT(space_error("\n\ntraining.lr: {uniform: [0.01, 0.001]}\n"),
             Contains("space.yaml:3: training.lr: uniform expects LOW <= HIGH"));
  CHECK_THAT(space_error("training.lr: {log_uniform: [0, 0.001]}\n"),
             Contains("space.yaml:1: training.lr: log_uniform needs a positive LOW"));
  CHECK_THAT(space_error("model.dropout: {uniform: [-0.5, 0.2]}\n"),
             Contains("space.yaml:1: model.dropout: must not be negative"));
  CHECK_THAT(space_error("training.lr: {uniform: [0.1]}\n"),
             Contains("space.yaml:1: training.lr: uniform expects [LOW, HIGH]"));
  CHECK_THAT(
      space_error("training.lr: {normal: [0.1, 0.2]}\n"),
      Contains("space.yaml:1: training.lr: expects a list of values, one value, or a range"));
  CHECK_THAT(space_error("model.dropout: []\n"),
             Contains("space.yaml:1: model.dropout: has an empty list"));
  CHECK_THAT(space_error("workdir: [a, b]\n"), Contains("space.yaml:1: workdir: cannot vary"));
  CHECK_THAT(space_error("model.dropout: [0.1]\nmodel:\n  dropout: [0.2]\n"),
             Contains("space.yaml:3: model.dropout: is named twice (first on line 1)"));
  CHECK_THAT(space_error("model.dropout: [0.1, [0.2]]\n"),
             Contains("space.yaml:1: model.dropout: expects plain values"));
  CHECK_THAT(space_error("- a\n- b\n"), Contains("space.yaml:1: a search space is a mapping"));
  CHECK_THAT(space_error("model.dropout: [0.1\n"), Contains("not valid YAML"));
  CHECK_THAT(space_error("{}\n"), Contains("names no recipe key"));
}

TEST_CASE("a grid runs every combination once, the first key slowest", "[sweep]") {
  const SearchSpace s = parse_search_space(
      "model.decoder.cell: [lstm, gru]\nmodel.dropout: [0.1, 0.2, 0.3]\n", "space.yaml");
  const std::vector<TrialSettings> trials = grid_trials(s);
  REQUIRE(trials.size() == 6);
  CHECK(trials[0] == TrialSettings{"lstm", "0.1"});
  CHECK(trials[1] == TrialSettings{"lstm", "0.2"});
  CHECK(trials[3] == TrialSettings{"gru", "0.1"});
  CHECK(std::set<TrialSettings>(trials.begin(), trials.end()).size() == 6);
  CHECK(trial_overrides(s, trials[5]) ==
        std::vector<std::string>{"model.decoder.cell=gru", "model.dropout=0.3"});
  const SearchSpace ranged =
      parse_search_space("model.dropout: [0.1]\ntraining.lr: {uniform: [0.1, 0.2]}\n", "s.yaml");
  CHECK_THROWS_WITH(grid_trials(ranged), Contains("s.yaml:2: training.lr: a grid takes lists") &&
                                             Contains("--strategy random"));
}

TEST_CASE("random trials are reproducible by seed, in range, and distinct", "[sweep]") {
  const SearchSpace s = parse_search_space(
      "training.lr: {log_uniform: [1e-4, 1e-2]}\n"
      "model.dropout: {uniform: [0.1, 0.4]}\n"
      "model.decoder.hidden: {int_uniform: [16, 20]}\n"
      "model.encoder.hidden: {int_log_uniform: [8, 1024]}\n"
      "model.decoder.cell: [lstm, gru]\n",
      "space.yaml");
  const auto a = random_trials(s, 40, 7), b = random_trials(s, 40, 7), c = random_trials(s, 40, 8);
  REQUIRE(a.size() == 40);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::set<TrialSettings>(a.begin(), a.end()).size() == 40);
  std::set<std::string> cells, hidden;
  for (const TrialSettings& t : a) {
    const double lr = std::stod(t[0]), dropout = std::stod(t[1]);
    CHECK(lr >= 1e-4);
    CHECK(lr <= 1e-2);
    CHECK(dropout >= 0.1);
    CHECK(dropout <= 0.4);
    const int units = std::stoi(t[2]);
    CHECK(std::to_string(units) == t[2]);  // a whole number, as the recipe needs
    CHECK(units >= 16);
    CHECK(units <= 20);
    hidden.insert(t[2]);
    const int encoder = std::stoi(t[3]);
    CHECK(encoder >= 8);
    CHECK(encoder <= 1024);
    cells.insert(t[4]);
  }
  CHECK(cells.size() == 2);
  CHECK(hidden.size() == 5);  // both ends of an integer range are drawn
  // log-uniform: as many draws below the geometric mean (1e-3) as above, roughly
  const auto below = std::count_if(a.begin(), a.end(),
                                   [](const TrialSettings& t) { return std::stod(t[0]) < 1e-3; });
  CHECK(below >= 10);
  CHECK(below <= 30);
  // a space of lists with fewer combinations than asked gives each combination once
  const SearchSpace small = parse_search_space("model.decoder.cell: [lstm, gru]\n", "s.yaml");
  CHECK(random_trials(small, 5, 1).size() == 2);
}

TEST_CASE("successive halving promotes exactly the best 1/eta", "[sweep]") {
  // scores: higher is better; NaN (no validation) is worst; ties go to the earlier trial
  const std::vector<double> scores = {3.0, 9.0, NAN, 5.0, 9.0, 1.0, 7.0, 2.0, 4.0};
  CHECK(promoted_trials(scores, 3) == std::vector<size_t>{1, 4, 6});
  CHECK(promoted_trials(scores, 2) == std::vector<size_t>{1, 4, 6, 3});
  CHECK(promoted_trials({NAN, 2.0}, 3) == std::vector<size_t>{1});  // at least one goes on
  const Halving h{100, 3, 0};
  CHECK(rung_steps(h, 0) == 100);
  CHECK(rung_steps(h, 2) == 900);
  CHECK(is_last_rung(h, 2, 1));
  CHECK_FALSE(is_last_rung(h, 1, 3));
  const Halving capped{100, 3, 500};
  CHECK(rung_steps(capped, 1) == 300);
  CHECK(rung_steps(capped, 2) == 500);
  CHECK(is_last_rung(capped, 2, 9));
}

TEST_CASE("the results table ranks trials by rung, then metric, and quotes CSV", "[sweep]") {
  const SearchSpace s = parse_search_space("data.prepare: ['a,b', 'say \"x\"']\n", "s.yaml");
  const std::vector<TrialSettings> trials = grid_trials(s);
  TrialResult first, second;
  first.trial = 1;
  first.score = -2.5;  // loss 2.5
  first.steps = 100;
  second.trial = 2;
  second.score = -3.0;
  second.rung = 1;  // reached a later rung: ranked first though its loss is higher
  second.steps = 300;
  const SweepTable table = make_sweep_table(s, ValidationMetric::loss, trials, {first, second});
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0].result.trial == 2);
  const std::string csv = sweep_table_csv(table);
  CHECK_THAT(csv, Contains("rank,trial,data.prepare,rung,steps,loss,best_step,seconds,status\r\n"));
  CHECK_THAT(csv, Contains("1,2,\"say \"\"x\"\"\",1,300,3.0000,"));
  CHECK_THAT(csv, Contains("2,1,\"a,b\",0,100,2.5000,"));
  CHECK_THAT(sweep_table_text(table), Contains("rank  trial  data.prepare"));
}

TEST_CASE("recipe values are checked key by key", "[sweep][recipe]") {
  CHECK(recipe_value_problem("model.dropout", "0.3").empty());
  CHECK_THAT(recipe_value_problem("model.dropout", "x"), Contains("expects a number"));
  CHECK_THAT(recipe_value_problem("model.dropotu", "1"), Contains("did you mean 'model.dropout'"));
  CHECK(recipe_value_kind("training.batch.sentences") == RecipeValueKind::integer);
  CHECK_THROWS_WITH(recipe_value_kind("model"), Contains("unknown key"));
}
