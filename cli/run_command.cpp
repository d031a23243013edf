// rnmt run RECIPE: the whole pipeline from a YAML recipe; rnmt quickstart-data: the quickstart's
// data.
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/launched_world.hpp"
#include "cli/options.hpp"
#include "cli/signal_watcher.hpp"
#include "core/error.hpp"
#include "pipeline/quickstart_data.hpp"
#include "pipeline/run.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int run_command(const std::vector<std::string>& args) {
  std::string recipe_path, from;
  std::vector<std::string> overrides;
  po::options_description desc(
      "rnmt run RECIPE.yaml: prepare data and tokenizers, train, evaluate BLEU, export a model\n"
      "options");
  desc.add_options()("help,h", "show this help")("set", po::value(&overrides)->composing(),
                                                 "override a recipe key: --set training.lr=0.0005")(
      "dump-config", "print the fully resolved recipe and exit")(
      "recipe-reference", "print every recipe key, its default and meaning (Markdown) and exit")(
      "from", po::value(&from), "re-run from this stage: prepare | train | evaluate | export");
  po::options_description hidden;
  hidden.add_options()("recipe", po::value(&recipe_path));
  po::positional_options_description positional;
  positional.add("recipe", 1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "run", &hidden, &positional); status >= 0)
    return status;
  if (vm.count("recipe-reference")) {
    std::cout << recipe_reference();
    return 0;
  }
  if (recipe_path.empty()) return usage_error("run", "which recipe? (rnmt run RECIPE.yaml)", desc);
  if (vm.count("dump-config")) {  // printing the recipe must not need its data to exist yet
    std::cout << dump_recipe(load_recipe(recipe_path, overrides, false));
    return 0;
  }
  const Recipe recipe = load_recipe(recipe_path, overrides);
  const std::optional<Stage> from_stage =
      from.empty() ? std::nullopt : std::optional<Stage>(parse_enum(kStageNames, from, "stage"));
  // Commands in data.prepare can call this very binary as $RNMT.
  RunContext context;
  context.rnmt_command = this_executable();
  const SignalWatcher signals(context.stop);
  // under mpirun: data-parallel training, every rank running the recipe
  return run_on_launched_world([&](Communicator& world, std::ostream& log) {
    return run_recipe(recipe, from_stage, log, world, Stage::export_model, context);
  });
}

int quickstart_data_command(const std::vector<std::string>& args) {
  std::string dir;
  QuickstartSplits splits;
  po::options_description desc(
      "rnmt quickstart-data DIR: integers spelled out in English (.en) and Spanish (.es) by ICU\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "train", po::value(&splits.train)->default_value(splits.train), "training pairs")(
      "valid", po::value(&splits.valid)->default_value(splits.valid), "validation pairs")(
      "test", po::value(&splits.test)->default_value(splits.test), "held-out test pairs")(
      "seed", po::value(&splits.seed)->default_value(splits.seed), "random seed");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir));
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "quickstart-data", &hidden, &positional);
      status >= 0) {
    return status;
  }
  if (dir.empty())
    return usage_error("quickstart-data", "where to? (rnmt quickstart-data DIR)", desc);
  write_quickstart_data(dir, splits);
  std::cerr << "quickstart-data: wrote " << splits.train << " / " << splits.valid << " / "
            << splits.test << " pairs to " << dir << "/{train,valid,test}.{en,es}\n";
  return 0;
}

}  // namespace rnmt::cli
