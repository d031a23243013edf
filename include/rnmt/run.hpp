#pragma once
// A recipe-driven training run, as `rnmt run` does it: prepare (data, tokenizers) -> train ->
// evaluate (BLEU on the test set) -> export (WORKDIR/model.rnmt).
//
//   #include <rnmt/run.hpp>
//   int status = rnmt::run("recipe.yaml", {.overrides = {"training.max_steps=1000"}});
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "rnmt/error.hpp"

namespace rnmt {

struct RunOptions {
  // "key.path=value", as `rnmt run --set` takes them (the value as a recipe line spells it).
  std::vector<std::string> overrides;
  // "" or a stage (prepare, train, evaluate, export) to re-run from.
  std::string from_stage;
  // Called where the run checks for a stop (at most every step or batch), from the run's thread;
  // returning true stops it: training with a checkpoint (the same call resumes), the other stages
  // with nothing half written. The library installs no signal handler: the caller decides.
  std::function<bool()> stop_requested;
  // What $RNMT names in data.prepare's environment (the rnmt command); "": left as inherited.
  std::string rnmt_command;
  std::ostream* log = &std::cerr;  // progress and the summary
};

// Runs the recipe's stages in order; what is up to date is skipped and training resumes from its
// checkpoint. Returns the exit status: 0 done, 130 stopped. A bad recipe throws rnmt::Error naming
// the file, line and key.
int run(const std::string& recipe_path, const RunOptions& options = {});

}  // namespace rnmt
