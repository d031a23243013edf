#include "sweep/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/archive.hpp"
#include "core/directory_lock.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "pipeline/run.hpp"
#include "recipe/recipe.hpp"
#include "report/html_page.hpp"
#include "sweep/search_space.hpp"
#include "sweep/sweep_table.hpp"
#include "training/trainer.hpp"
#include "training/training_log.hpp"
#include "training/validation_record.hpp"
#include "training/workdir.hpp"

namespace rnmt {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// Everything a sweep will do, worked out and checked before the first trial.
struct Plan {
  SweepOptions options;
  Recipe base;  // the recipe with the sweep's --set overrides
  SearchSpace space;
  TrialSampling strategy = TrialSampling::grid;
  std::vector<TrialSettings> trials;  // trial k is trials[k - 1]
  std::optional<Halving> halving;
  std::string workdir;
};

std::string trial_dir(const Plan& p, int64_t trial) {
  char name[24];
  std::snprintf(name, sizeof name, "%03lld", static_cast<long long>(trial));
  return p.workdir + "/trials/" + name;
}

std::string result_path(const Plan& p, int64_t trial, int rung) {
  return trial_dir(p, trial) + "/rung-" + std::to_string(rung) + ".json";
}

std::string settings_text(const Plan& p, int64_t trial) {
  std::string text;
  for (const std::string& o : trial_overrides(p.space, p.trials[static_cast<size_t>(trial - 1)]))
    text += (text.empty() ? "" : " ") + o;
  return text;
}

// The recipe trial `trial` runs in rung `rung`: the sweep's recipe, its overrides, the trial's
// settings, its workdir and (under successive halving) the rung's steps.
Recipe trial_recipe(const Plan& p, int64_t trial, int rung) {
  std::vector<std::string> overrides = p.options.overrides;
  for (const std::string& o : trial_overrides(p.space, p.trials[static_cast<size_t>(trial - 1)]))
    overrides.push_back(o);
  overrides.push_back("workdir=" + trial_dir(p, trial));
  if (p.halving)
    overrides.push_back("training.max_steps=" + std::to_string(rung_steps(*p.halving, rung)));
  return load_recipe(p.options.recipe_path, overrides);
}

void check_halving(const Plan& p, const Recipe& r) {
  const Halving& h = *p.halving;
  for (const int64_t steps : {h.min_steps, h.max_steps}) {
    if (steps % r.validation.every != 0) {
      throw Error("successive halving stops trials at " + std::to_string(steps) +
                  " steps, which is not a multiple of validation.every (" +
                  std::to_string(r.validation.every) + "): a rung must end with a validation");
    }
  }
}

Plan make_plan(const SweepOptions& o) {
  Plan p;
  p.options = o;
  p.base = load_recipe(o.recipe_path, o.overrides);
  p.space = load_search_space(o.space_path);
  const bool all_lists =
      std::all_of(p.space.dimensions.begin(), p.space.dimensions.end(),
                  [](const Dimension& d) { return d.distribution == Distribution::list; });
  p.strategy = o.strategy.value_or(all_lists ? TrialSampling::grid : TrialSampling::random);
  if (p.strategy == TrialSampling::grid && o.trials > 0)
    throw Error("--trials is for random search: a grid runs every combination of its lists");
  p.trials = p.strategy == TrialSampling::grid
                 ? grid_trials(p.space)
                 : random_trials(p.space, o.trials ? o.trials : 10, o.seed);
  if (o.halving) {
    Halving h = *o.halving;
    if (h.eta < 2) throw Error("--eta must be at least 2, found " + std::to_string(h.eta));
    for (const Dimension& d : p.space.dimensions) {
      if (d.key == "training.max_steps")
        throw Error(where(p.space, d) +
                    "successive halving sets each trial's steps; "
                    "leave training.max_steps out of the space");
    }
    if (h.min_steps == 0) h.min_steps = p.base.validation.every;
    if (h.max_steps == 0) h.max_steps = p.base.training.max_steps;
    if (h.max_steps > 0 && h.max_steps < h.min_steps)
      throw Error("--max-steps " + std::to_string(h.max_steps) + " is below --min-steps " +
                  std::to_string(h.min_steps));
    p.halving = h;
  }
  p.workdir = o.workdir.empty() ? "sweeps/" + fs::path(o.recipe_path).stem().string() : o.workdir;
  // A value can fit its key and still clash with another key (export.average beyond
  // validation.keep): every trial's recipe is loaded now, before any work.
  for (int64_t t = 1; t <= static_cast<int64_t>(p.trials.size()); ++t) {
    try {
      const Recipe r = trial_recipe(p, t, 0);
      if (p.halving) check_halving(p, r);
    } catch (const Error& e) {
      throw Error(o.space_path + ": trial " + std::to_string(t) + " (" + settings_text(p, t) +
                  "): " + e.what());
    }
  }
  return p;
}

// What makes a sweep this sweep: its recipe, trials and halving. A workdir that holds another
// sweep is refused rather than mixed with it.
std::string identity(const Plan& p) {
  Recipe base = p.base;
  base.workdir = "";
  nlohmann::ordered_json keys = nlohmann::ordered_json::array();
  for (const Dimension& d : p.space.dimensions) keys.push_back(d.key);
  nlohmann::ordered_json halving;
  if (p.halving)
    halving = {{"min_steps", p.halving->min_steps},
               {"eta", p.halving->eta},
               {"max_steps", p.halving->max_steps}};
  const nlohmann::ordered_json j = {
      {"recipe", dump_recipe(base)}, {"keys", keys}, {"trials", p.trials}, {"halving", halving}};
  return j.dump(1) + "\n";
}

void claim_workdir(const Plan& p) {
  const std::string path = p.workdir + "/sweep.json";
  const std::string mine = identity(p);
  if (fs::exists(path) && read_whole_file(path, "sweep identity") != mine) {
    throw Error("'" + p.workdir + "' holds another sweep (its recipe, --set, space, seed or " +
                "halving differ); use another --workdir, or delete it to start afresh");
  }
  fs::create_directories(p.workdir + "/trials");
  write_file_atomically(path, mine);
}

// The validation record of a trial's last checkpoint: its steps, best score and best step.
void read_outcome(const Recipe& r, TrialResult& result) {
  const std::optional<CheckpointOutcome> outcome = Workdir{r.workdir}.train().last_outcome();
  if (!outcome) return;
  result.steps = outcome->steps;
  if (outcome->validation) {
    result.score = outcome->validation->best;
    result.best_step = outcome->validation->best_step;
  }
}

// Where the sweep stands, for the progress lines.
struct Progress {
  const Plan& plan;
  std::ostream& log;
  ValidationMetric metric;
  std::optional<TrialResult> best;
  Clock::time_point start = Clock::now();

  std::string metric_text(const TrialResult& r) const {
    if (!r.error.empty()) return "failed";
    if (std::isnan(r.score)) return "no validation yet";
    char text[64];
    std::snprintf(text, sizeof text, "%s %.4g", enum_name(kValidationMetricNames, metric),
                  metric_value(metric, r.score));
    return text;
  }
  void saw(const TrialResult& r) {
    if (!best || better_trial(r, *best)) best = r;
  }
  std::string best_text() const {
    return best ? "best so far: trial " + std::to_string(best->trial) + " (" + metric_text(*best) +
                      ")"
                : "";
  }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
};

// Trains trial `trial` through rung `rung` with the ranks of `group`. Returns nullopt when a signal
// or the time budget stopped it (it resumes from its checkpoint next time).
std::optional<TrialResult> run_trial(const Plan& p, int64_t trial, int rung, Communicator& group,
                                     const RunContext& context) {
  const Recipe r = trial_recipe(p, trial, rung);
  TrialResult result;
  result.trial = trial;
  result.rung = rung;
  if (rung > 0) result.seconds = read_trial_result(result_path(p, trial, rung - 1)).seconds;
  std::ofstream file;
  std::ostream quiet(nullptr);
  if (group.lead()) {
    fs::create_directories(r.workdir);
    file.open(Workdir{r.workdir}.run_log(), std::ios::app);
    // trials that differ only in the model or training share one set of tokenizers
    for (int64_t other = 1; other <= static_cast<int64_t>(p.trials.size()) &&
                            !fs::exists(Workdir{r.workdir}.stage_stamp("prepare"));
         ++other) {
      if (other != trial && adopt_prepared_data(r, trial_dir(p, other))) break;
    }
  }
  std::ostream& trial_log = group.lead() ? static_cast<std::ostream&>(file) : quiet;
  const auto start = Clock::now();
  int status = 0;
  try {
    status = run_recipe(r, std::nullopt, trial_log, group, Stage::train, context);
  } catch (const std::exception& e) {
    // A setting that fails (a model too large for memory, say) is a result: the sweep goes on. A
    // group of several ranks cannot tell whether all its ranks failed alike: the error ends the
    // job.
    if (group.size() > 1) throw;
    result.error = e.what();
    trial_log << "rnmt: error: " << e.what() << std::endl;
  }
  if (status == 130) return std::nullopt;
  result.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  if (result.error.empty()) read_outcome(r, result);
  if (group.lead()) write_trial_result(result_path(p, trial, rung), result);
  return result;
}

void write_outputs(const Plan& p, const SweepTable& table, std::ostream& log) {
  const std::string text = sweep_table_text(table);
  write_file_atomically(p.workdir + "/results.txt", text);
  write_file_atomically(p.workdir + "/results.csv", sweep_table_csv(table));
  const std::string title = "rnmt sweep: " + p.options.recipe_path + " over " + p.space.path;
  write_file_atomically(p.workdir + "/results.html",
                        html_page(ReportKind::sweep, title, sweep_table_json(table, title)));
  log << "\n" << text << "\nsweep: wrote " << p.workdir << "/results.{txt,csv,html}" << std::endl;
}

// The best trial evaluated on the test set and exported (its training is up to date, so `rnmt
// run` only evaluates and exports), with its resolved recipe beside the model.
void export_best(const Plan& p, const TrialResult& best, std::ostream& log,
                 const RunContext& context) {
  const Recipe r = trial_recipe(p, best.trial, best.rung);
  log << "sweep: the best trial is " << best.trial << " (" << settings_text(p, best.trial)
      << "); evaluating and exporting it" << std::endl;
  if (run_recipe(r, std::nullopt, log, local_communicator(), Stage::export_model, context) != 0)
    return;
  write_file_atomically(p.workdir + "/best.yaml", dump_recipe(r));
  write_file_atomically(p.workdir + "/best.rnmt",
                        read_whole_file(Workdir{r.workdir}.model(), "model"));
  log << "sweep: wrote " << p.workdir << "/best.yaml (trial " << best.trial
      << "'s resolved recipe) and " << p.workdir << "/best.rnmt" << std::endl;
}

// One sweep's state across its rungs, on one rank.
struct SweepRun {
  const Plan& p;
  std::ostream& log;
  Communicator& world;
  Communicator& group;  // the ranks this one trains trials with
  int groups, my_group;
  Progress& progress;
  RunContext context;  // the trials' context: the caller's stop, and the budget
  int64_t n;           // trials
  std::vector<std::optional<TrialResult>> furthest;  // each trial's result at its last rung
  bool interrupted = false, out_of_time = false;
};

// This rank's group trains its share of the rung's trials (those done before are read back),
// until they are done, a stop is requested or the budget is spent.
void train_rung(SweepRun& s, const std::vector<int64_t>& active, int rung) {
  const Plan& p = s.p;
  const std::string rung_text = p.halving
                                    ? " (rung " + std::to_string(rung) + ": " +
                                          std::to_string(rung_steps(*p.halving, rung)) + " steps)"
                                    : "";
  for (size_t i = 0; i < active.size() && !s.interrupted && !s.out_of_time; ++i) {
    if (static_cast<int>(i % static_cast<size_t>(s.groups)) != s.my_group) continue;
    const int64_t t = active[i];
    const std::string head = "sweep: trial " + std::to_string(t) + " of " + std::to_string(s.n);
    if (lead_decides(s.group, fs::exists(result_path(p, t, rung)))) {
      const TrialResult r = read_trial_result(result_path(p, t, rung));
      s.progress.saw(r);
      if (s.group.lead())
        s.log << head << rung_text << ": done before (" << s.progress.metric_text(r) << ")"
              << std::endl;
      continue;
    }
    if (lead_decides(s.group, s.context.deadline_passed())) {
      s.out_of_time = true;
      break;
    }
    if (s.group.lead()) s.log << head << rung_text << ": " << settings_text(p, t) << std::endl;
    const std::optional<TrialResult> r = run_trial(p, t, rung, s.group, s.context);
    if (!r) {
      (s.context.deadline_passed() ? s.out_of_time : s.interrupted) = true;
      break;
    }
    s.progress.saw(*r);
    if (s.group.lead()) {
      s.log << head << rung_text << ": "
            << (r->error.empty()
                    ? s.progress.metric_text(*r) + " at step " + std::to_string(r->best_step) +
                          " of " + std::to_string(r->steps) + " in " + clock_text(r->seconds)
                    : "failed (" + r->error + "; the sweep goes on)")
            << "; " << s.progress.best_text() << "; " << clock_text(s.progress.elapsed())
            << " into the sweep" << std::endl;
    }
  }
}

// Once every group has finished the rung (or stopped), all ranks read its results from the
// workdir; returns the trials that go on to the next rung (none after the last).
std::vector<int64_t> close_rung(SweepRun& s, const std::vector<int64_t>& active, int rung) {
  const Plan& p = s.p;
  double stops[2] = {s.interrupted ? 1.0 : 0.0, s.out_of_time ? 1.0 : 0.0};
  s.world.sum(stops, 2);
  s.interrupted = stops[0] > 0;
  s.out_of_time = stops[1] > 0;
  std::vector<double> scores;
  for (const int64_t t : active) {
    const std::string path = result_path(p, t, rung);
    const std::optional<TrialResult> r =
        fs::exists(path) ? std::optional(read_trial_result(path)) : std::nullopt;
    if (r) s.furthest[static_cast<size_t>(t - 1)] = r;
    scores.push_back(r && r->error.empty() ? r->score : NAN);
  }
  if (s.interrupted || s.out_of_time || !p.halving || is_last_rung(*p.halving, rung, active.size()))
    return {};
  std::vector<int64_t> next;
  for (const size_t position : promoted_trials(scores, p.halving->eta))
    next.push_back(active[position]);
  if (s.world.lead()) {
    s.log << "sweep: rung " << rung << " done: trials";
    for (const int64_t t : next) s.log << " " << t;
    s.log << " go on (the best " << next.size() << " of " << active.size() << ")" << std::endl;
  }
  return next;
}

// Rank 0's tables, then the best trial evaluated and exported; the exit status.
int finish_sweep(SweepRun& s) {
  s.context.deadline.reset();  // the best trial's evaluation and export are not cut short
  std::vector<TrialResult> finished;
  for (const auto& r : s.furthest)
    if (r) finished.push_back(*r);
  const SweepTable table =
      make_sweep_table(s.p.space, s.p.base.validation.metric, s.p.trials, finished);
  write_outputs(s.p, table, s.log);
  if (s.interrupted) {
    s.log << "sweep: interrupted after " << finished.size() << " of " << s.n
          << " trials; run the same command again to continue" << std::endl;
    return 130;
  }
  if (s.out_of_time) {
    s.log << "sweep: the time budget is spent (" << finished.size() << " of " << s.n
          << " trials finished); run the same command again to continue" << std::endl;
  }
  if (!table.rows.empty() && table.rows.front().result.error.empty() &&
      !std::isnan(table.rows.front().result.score)) {
    export_best(s.p, table.rows.front().result, s.log, s.context);
  } else {
    s.log << "sweep: no trial has a validation score yet: nothing to export" << std::endl;
  }
  return 0;
}

}  // namespace

int run_sweep(const SweepOptions& options, std::ostream& log, Communicator& world,
              const RunContext& caller) {
  const Plan p = make_plan(options);
  const int per_group = options.ranks_per_trial;
  if (per_group < 1 || world.size() % per_group != 0) {
    throw Error("--ranks-per-trial " + std::to_string(per_group) + " does not divide the " +
                std::to_string(world.size()) + " ranks");
  }
  const int groups = world.size() / per_group, my_group = world.rank() / per_group;
  const std::unique_ptr<Communicator> group = world.split(my_group);
  std::optional<DirectoryLock> lock;  // one sweep at a time in a workdir (rank 0 holds it)
  if (world.lead()) {
    fs::create_directories(p.workdir);
    lock.emplace(p.workdir, "sweep workdir");
    claim_workdir(p);
  }
  world.barrier();
  const auto n = static_cast<int64_t>(p.trials.size());
  Progress progress{p, log, p.base.validation.metric, std::nullopt};
  SweepRun s{.p = p,
             .log = log,
             .world = world,
             .group = *group,
             .groups = groups,
             .my_group = my_group,
             .progress = progress,
             .context = caller,
             .n = n,
             .furthest = std::vector<std::optional<TrialResult>>(static_cast<size_t>(n))};
  if (options.budget_seconds > 0) {
    s.context.deadline =
        s.progress.start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.budget_seconds));
  }
  if (world.lead()) {
    log << "sweep: " << n << " trials (" << enum_name(kTrialSamplingNames, p.strategy) << " over";
    for (const Dimension& d : p.space.dimensions) log << " " << d.key;
    log << ")" << (p.halving ? ", successive halving" : "") << (groups > 1 ? ", " : "")
        << (groups > 1 ? std::to_string(groups) + " side by side" : "") << "; workdir " << p.workdir
        << "; each trial's log is its workdir's run.log" << std::endl;
  }
  std::vector<int64_t> active(static_cast<size_t>(n));
  for (int64_t t = 1; t <= n; ++t) active[static_cast<size_t>(t - 1)] = t;
  for (int rung = 0; !active.empty(); ++rung) {
    if (p.halving && world.lead())
      log << "sweep: rung " << rung << ": " << active.size()
          << (active.size() == 1 ? " trial" : " trials") << " to " << rung_steps(*p.halving, rung)
          << " steps" << std::endl;
    train_rung(s, active, rung);
    active = close_rung(s, active, rung);
  }
  if (!world.lead()) return s.interrupted ? 130 : 0;
  return finish_sweep(s);
}

}  // namespace rnmt
