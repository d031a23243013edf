#pragma once
#include <optional>
#include <ostream>
#include <string>

#include "core/run_context.hpp"
#include "distributed/communicator.hpp"
#include "recipe/recipe.hpp"

namespace rnmt {

enum class Stage { prepare, train, evaluate, export_model };
inline constexpr EnumName<Stage> kStageNames[] = {{Stage::prepare, "prepare"},
                                                  {Stage::train, "train"},
                                                  {Stage::evaluate, "evaluate"},
                                                  {Stage::export_model, "export"}};

// Runs a recipe's stages in order: prepare (data, tokenizers) -> train -> evaluate (BLEU on the
// test set, when there is one) -> export (workdir/model.rnmt). A stage whose inputs have not
// changed since it last completed is skipped; `from` re-runs that stage and the ones after it.
// Training resumes from its last checkpoint; a stop requested through `context` ends training
// after writing one, and the other stages at their next check. Returns the exit status (130 when
// stopped so). The caller owns signals: `rnmt run` turns SIGINT and SIGTERM into stop requests.
// Under data-parallel training (`comm` of more than one rank) every rank calls it: rank 0 alone
// decides which stages run, prepares the data (the others wait, then read it from the workdir, a
// shared directory), writes files and logs, evaluates and exports; all ranks train.
// `last` ends the run after that stage (rnmt sweep trains its trials, and evaluates and exports
// only the best).
int run_recipe(const Recipe& recipe, std::optional<Stage> from, std::ostream& log,
               Communicator& comm = local_communicator(), Stage last = Stage::export_model,
               const RunContext& context = RunContext{});

// What a stage depends on, hashed: a stage is up to date when its stamp (WORKDIR/STAGE.done) holds
// this. Read from the recipe's typed fields (the data files' sizes and times, the tokenizer
// settings; then every key of the model, training and validation sections; then of translate and
// export), so that the order or style of the recipe's lines does not matter.
std::string stage_fingerprint(const Recipe& recipe, Stage stage);

// When `done_workdir` holds a finished prepare stage that is exactly what `recipe`'s would make
// (the same data files and tokenizer settings), links its files into recipe.workdir and marks the
// stage done there, so that it is skipped; returns whether it did. Trials of one sweep that differ
// only in the model or training share their data and tokenizers this way.
bool adopt_prepared_data(const Recipe& recipe, const std::string& done_workdir);

}  // namespace rnmt
