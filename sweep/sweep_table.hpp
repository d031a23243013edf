#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recipe/recipe.hpp"
#include "sweep/search_space.hpp"
#include "sweep/trial_plan.hpp"
#include "sweep/trial_result.hpp"

namespace rnmt {

// A sweep's trials as it ends: each one's settings and its furthest result, best first.
struct SweepTable {
  std::vector<std::string> keys;  // the space's keys, in its order
  ValidationMetric metric = ValidationMetric::bleu;
  struct Row {
    TrialSettings settings;
    TrialResult result;
  };
  std::vector<Row> rows;  // sorted by better_trial
};

SweepTable make_sweep_table(const SearchSpace& space, ValidationMetric metric,
                            const std::vector<TrialSettings>& trials,
                            const std::vector<TrialResult>& furthest);

// The metric as people read it: BLEU, or the loss (the score is minus the loss).
double metric_value(ValidationMetric metric, double score);

// Aligned columns for a terminal; RFC 4180 CSV; the data of the HTML page (report/sweep.js).
std::string sweep_table_text(const SweepTable& table);
std::string sweep_table_csv(const SweepTable& table);
nlohmann::ordered_json sweep_table_json(const SweepTable& table, const std::string& title);

}  // namespace rnmt
