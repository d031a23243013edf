#pragma once
#include <cmath>
#include <cstdint>
#include <string>

namespace rnmt {

// What one trial reached in one rung of a sweep (the only rung, without successive halving). Kept
// as TRIAL_DIR/rung-R.json: a trial whose file exists is not run again when a sweep resumes.
struct TrialResult {
  int64_t trial = 0;  // 1, 2, ... in the sweep's order
  int rung = 0;
  int64_t steps = 0;   // trained so far
  double score = NAN;  // the best validation: BLEU, or minus the loss (higher is better); NaN: none
  int64_t best_step = 0;  // where it was reached
  double seconds = 0;     // training time over every rung so far
  std::string error;      // why the trial failed ("" when it did not)
};

void write_trial_result(const std::string& path, const TrialResult& result);
TrialResult read_trial_result(const std::string& path);

// Better first: higher rung, then higher score (NaN last), then the earlier trial.
bool better_trial(const TrialResult& a, const TrialResult& b);

}  // namespace rnmt
