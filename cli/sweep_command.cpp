// rnmt sweep RECIPE --space SPACE: hyper-parameter search over a recipe.
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/launched_world.hpp"
#include "cli/options.hpp"
#include "cli/signal_watcher.hpp"
#include "core/error.hpp"
#include "recipe/recipe.hpp"
#include "sweep/sweep.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int sweep_command(const std::vector<std::string>& args) {
  SweepOptions options;
  std::string strategy, budget;
  Halving halving;
  po::options_description desc(
      "rnmt sweep RECIPE.yaml --space SPACE.yaml: train the recipe under each setting of the "
      "space\n"
      "(every one an `rnmt run` in WORKDIR/trials/NNN), rank them by validation, export the best\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "space", po::value(&options.space_path)->required(),
      "the recipe keys to vary and their values: a YAML file")(
      "strategy", po::value(&strategy),
      "grid (every combination) | random; default: grid when every key has a list of values")(
      "trials", po::value(&options.trials), "random search: how many trials (10)")(
      "seed", po::value(&options.seed)->default_value(1), "random search: the seed")(
      "halving", po::bool_switch(),
      "successive halving: train every trial --min-steps, keep the best 1/eta, train them eta "
      "times as long, and so on")(
      "min-steps", po::value(&halving.min_steps)->default_value(0),
      "halving: the first rung's steps (0: the recipe's validation.every)")(
      "eta", po::value(&halving.eta)->default_value(3), "halving: the factor between rungs")(
      "max-steps", po::value(&halving.max_steps)->default_value(0),
      "halving: the last rung's steps at most (0: the recipe's training.max_steps, or no cap)")(
      "budget", po::value(&budget),
      "stop after this long (90s, 20m, 2h): training stops with a checkpoint, the tables are "
      "written and the best so far exported; run again to continue")(
      "workdir", po::value(&options.workdir), "where the trials go (sweeps/RECIPE)")(
      "set", po::value(&options.overrides)->composing(),
      "override a recipe key for every trial: --set training.max_time=10m")(
      "ranks-per-trial", po::value(&options.ranks_per_trial)->default_value(1),
      "under mpirun: the ranks that train each trial together; the groups take trials in turn");
  po::options_description hidden;
  hidden.add_options()("recipe", po::value(&options.recipe_path));
  po::positional_options_description positional;
  positional.add("recipe", 1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "sweep", &hidden, &positional); status >= 0)
    return status;
  if (options.recipe_path.empty())
    return usage_error("sweep", "which recipe? (rnmt sweep RECIPE.yaml --space SPACE.yaml)", desc);
  if (!strategy.empty()) options.strategy = parse_enum(kTrialSamplingNames, strategy, "strategy");
  if (vm["halving"].as<bool>()) {
    options.halving = halving;
  } else if (!vm["min-steps"].defaulted() || !vm["eta"].defaulted() ||
             !vm["max-steps"].defaulted()) {
    return usage_error("sweep", "--min-steps, --eta and --max-steps go with --halving", desc);
  }
  if (!budget.empty()) {
    try {
      options.budget_seconds = parse_duration(budget);
    } catch (const Error& e) {
      throw Error(std::string("--budget: ") + e.what());
    }
  }
  // Commands in data.prepare can call this very binary as $RNMT.
  RunContext context;
  context.rnmt_command = this_executable();
  const SignalWatcher signals(context.stop);
  // under mpirun: groups of ranks train trials side by side; each group's lead reports its trials
  return run_on_launched_world([&](Communicator& world, std::ostream& log) {
    return run_sweep(options, world.lead() ? log : std::cerr, world, context);
  });
}

}  // namespace rnmt::cli
