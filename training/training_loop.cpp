#include "training/training_loop.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

#include "core/crash_point.hpp"
#include "model_file/weights.hpp"
#include "training/schedule.hpp"
#include "training/validation_record.hpp"

namespace rnmt {
namespace {

// Whether training goes on, ends (a limit, or patience), or is interrupted (a signal, or the
// sweep's time budget: a checkpoint, exit status 130, and the same command resumes). Rank 0 decides
// and broadcasts it every step.
enum class StopKind { go_on = 0, finish = 1, interrupt = 2 };

struct StopDecision {
  StopKind kind = StopKind::go_on;
  std::string reason;  // for the log: "max_steps reached", "interrupted", ...
};

constexpr const char* kMaxTimeReached = "max_time reached";

// Whether training stops now, and why.
StopDecision stop_decision(const Recipe& r, const TrainPosition& pos, double elapsed,
                           const RunContext& context) {
  if (context.deadline_passed()) return {StopKind::interrupt, "the sweep's time budget is spent"};
  if (context.stop_requested()) return {StopKind::interrupt, "interrupted"};
  if (r.training.max_time_seconds > 0 && elapsed >= r.training.max_time_seconds)
    return {StopKind::finish, kMaxTimeReached};
  if (r.training.max_epochs > 0 && pos.epoch >= r.training.max_epochs)
    return {StopKind::finish, "max_epochs reached"};
  if (r.training.max_steps > 0 && pos.step >= r.training.max_steps)
    return {StopKind::finish, "max_steps reached"};
  return {};
}

// Rank 0 decides whether to go on and at which learning rate (its validation record holds the
// plateau scale); every rank follows. One process: the broadcast leaves the values as they are.
StopKind agree_on_step(TrainingLoop& loop, const LearningRateSchedule& schedule,
                       StopDecision& decision, double elapsed) {
  const bool lead = loop.comm.lead();
  double control[2] = {0, 0};  // [StopKind; learning rate]
  if (lead) {
    if (decision.kind == StopKind::go_on)
      decision = stop_decision(loop.recipe, loop.trainer.position(), elapsed, loop.context);
    control[0] = static_cast<double>(decision.kind);
    control[1] = learning_rate(schedule, loop.trainer.position().step + 1, loop.record.lr_scale);
  }
  loop.comm.broadcast(control, 2);
  const auto kind = static_cast<StopKind>(control[0]);
  if (kind != StopKind::go_on && !lead) decision = {kind, "rank 0 stopped training"};
  loop.trainer.set_lr(control[1]);
  return kind;
}

// Rank 0's validation: the best weights, a step checkpoint, the log, and patience.
void validate_and_save(TrainingLoop& loop, TrainingLog& report, StopDecision& decision) {
  const Recipe& r = loop.recipe;
  const CheckpointDirectory checkpoints = Workdir{r.workdir}.train();
  const int64_t step = loop.trainer.position().step;
  const ValidationScores v = loop.validate();
  const double score = r.validation.metric == ValidationMetric::bleu ? v.bleu : -v.loss;
  const bool better =
      record_validation(loop.record, score, step, r.training.schedule == LrSchedule::plateau);
  if (better) save_weights(loop.model.params(), checkpoints.best());
  loop.sections.validation = loop.record;
  checkpoints.save_step(loop.trainer, loop.sections, r.validation.keep);
  report.validation(step, v, r.validation.metric, better, loop.record, r.validation.patience);
  if (patience_exhausted(loop.record, r.validation.patience))
    decision = {StopKind::finish,
                "no improvement for " + std::to_string(loop.record.bad) + " validations"};
}

// Rank 0's last checkpoint and summary; the exit status.
int finish_training(TrainingLoop& loop, const StopDecision& decision, double elapsed) {
  const CheckpointDirectory checkpoints = Workdir{loop.recipe.workdir}.train();
  loop.sections.validation = loop.record;
  checkpoints.save_last(loop.trainer, loop.sections);
  if (!std::filesystem::exists(checkpoints.best()))
    save_weights(loop.model.params(), checkpoints.best());
  std::ostream& log = loop.log;
  log << "train: stopped at step " << loop.trainer.position().step << " (" << decision.reason
      << ") after " << clock_text(elapsed) << "; checkpoint " << checkpoints.last()
      << (std::isnan(loop.record.best)
              ? ""
              : "; best validation at step " + std::to_string(loop.record.best_step))
      << std::endl;
  if (decision.reason == kMaxTimeReached)
    log << "train: the time cap fired (training.max_time), not max_steps, max_epochs or patience: "
           "a slower or busier machine stops at another step, with another model; bound the run "
           "by steps for a result that does not depend on the machine"
        << std::endl;
  if (decision.kind == StopKind::interrupt) {
    log << "train: interrupted; run the same command again to resume" << std::endl;
    return 130;
  }
  return 0;
}

}  // namespace

int run_training_loop(TrainingLoop& loop) {
  const Recipe& r = loop.recipe;
  const bool lead = loop.comm.lead();
  const LearningRateSchedule schedule{r.training.lr, r.training.schedule, r.training.warmup_steps};
  std::optional<TrainingLog> report;  // rank 0's
  if (lead) {
    report.emplace(loop.log, Workdir{r.workdir}.metrics(),
                   TrainingLog::Limits{r.training.max_time_seconds, r.training.max_steps});
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const int64_t inspect_every = lead && loop.inspect ? r.training.inspect_every : 0;
  if (inspect_every > 0 && loop.trainer.position().step == 0) loop.inspect(0);
  StopDecision decision;  // rank 0's, once it stops
  while (agree_on_step(loop, schedule, decision, elapsed()) == StopKind::go_on) {
    crash_point("train.step");
    const StepResult s = loop.trainer.step();
    const int64_t step = loop.trainer.position().step;
    if (const std::string change = loop.threads.step_finished(); !change.empty() && lead)
      loop.log << change << std::endl;
    const bool validation_next = step % r.validation.every == 0;
    if (s.applied && validation_next)
      require_same_weights(loop.comm, loop.model.params().values(), loop.model.params().total(),
                           step);
    if (!lead) continue;
    report->add_step(s);
    if (inspect_every > 0 && s.applied && step % inspect_every == 0) loop.inspect(step);
    if (report->report_due(elapsed(), validation_next))
      report->report(loop.trainer.position(), loop.trainer.lr(), elapsed());
    if (s.applied && validation_next) validate_and_save(loop, *report, decision);
  }
  if (!lead) return decision.kind == StopKind::interrupt ? 130 : 0;
  return finish_training(loop, decision, elapsed());
}

}  // namespace rnmt
