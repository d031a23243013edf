#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnmt {

// Successive halving (Jamieson and Talwalkar, 2016): every trial trains for min_steps; the best
// 1/eta of them go on to eta times as many steps (resuming from their checkpoints), and so on
// until one trial is left or the budget reaches max_steps. Most of the time goes to good settings.
struct Halving {
  int64_t min_steps = 0;  // the first rung's steps
  int64_t eta = 3;        // the factor between rungs, in steps and in trials
  int64_t max_steps = 0;  // the last rung's steps at most (0: no cap)
};

// The steps a trial has trained when it finishes rung `rung` (0 first).
int64_t rung_steps(const Halving& halving, int rung);

// Whether rung `rung`, run by `trials` trials, is the last.
bool is_last_rung(const Halving& halving, int rung, size_t trials);

// Which of a rung's trials go on: the best max(1, floor(n / eta)) by score (higher is better; a
// NaN, a trial with no score, is worst), ties to the earlier trial. Returns their positions in
// `scores`, best first.
std::vector<size_t> promoted_trials(const std::vector<double>& scores, int64_t eta);

}  // namespace rnmt
