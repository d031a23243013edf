// rnmt::run (rnmt/run.hpp): the public face of run_recipe.
#include "pipeline/run.hpp"
#include "rnmt/run.hpp"

namespace rnmt {

int run(const std::string& recipe_path, const RunOptions& options) {
  const Recipe recipe = load_recipe(recipe_path, options.overrides);
  const std::optional<Stage> from =
      options.from_stage.empty()
          ? std::nullopt
          : std::optional(parse_enum(kStageNames, options.from_stage, "stage"));
  RunContext context;
  context.check_stop = options.stop_requested;
  context.rnmt_command = options.rnmt_command;
  return run_recipe(recipe, from, options.log ? *options.log : std::cerr, local_communicator(),
                    Stage::export_model, context);
}

}  // namespace rnmt
