#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/run_context.hpp"
#include "distributed/communicator.hpp"
#include "sweep/successive_halving.hpp"
#include "sweep/trial_plan.hpp"

namespace rnmt {

// rnmt sweep: hyper-parameter search over a recipe (docs/sweep.md).
struct SweepOptions {
  std::string recipe_path;
  std::vector<std::string> overrides;  // --set, for every trial
  std::string space_path;
  std::string workdir;  // "": sweeps/RECIPE (the recipe file's name without .yaml)
  // grid or random; nullopt: grid when every key has a list of values, random otherwise
  std::optional<TrialSampling> strategy;
  int64_t trials = 0;  // random search's number of trials (0: 10)
  uint64_t seed = 1;   // random search's seed
  // Successive halving; min_steps 0 stands for the recipe's validation.every.
  std::optional<Halving> halving;
  double budget_seconds = 0;  // 0: none; else no trial starts after it, and training stops at it
  int ranks_per_trial = 1;    // under mpirun: the ranks that train each trial together
};

// Runs every trial as `rnmt run` would, each in WORKDIR/trials/NNN with the trial's settings as
// --set overrides, through training; then evaluates and exports the best trial and writes
// WORKDIR/results.{txt,csv,html}, WORKDIR/best.yaml (the best trial's resolved recipe) and
// WORKDIR/best.rnmt. Everything is checked before any trial starts. Killed and started again, it
// skips what has finished and resumes an interrupted trial from its checkpoint. Under mpirun the
// world's ranks form groups of ranks_per_trial that take the trials in turn. A stop requested
// through `context` ends the running trial with a checkpoint; the tables are written. Returns the
// exit status: 0, or 130 when stopped or out of time.
int run_sweep(const SweepOptions& options, std::ostream& log,
              Communicator& world = local_communicator(), const RunContext& context = RunContext{});

}  // namespace rnmt
