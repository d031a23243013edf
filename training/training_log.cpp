#include "training/training_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace rnmt {

std::string clock_text(double seconds) {
  char b[32];
  const auto s = static_cast<long long>(seconds);
  std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return b;
}

TrainingLog::TrainingLog(std::ostream& log, const std::string& metrics_path, Limits limits)
    : log_(log), metrics_(metrics_path, std::ios::app), limits_(limits) {}

void TrainingLog::add_step(const StepResult& s) {
  if (!s.applied) return;
  loss_sum_ += s.loss.nll;
  loss_tokens_ += s.loss.tokens;
  grad_norm_sum_ += s.grad_norm;
  ++steps_;
}

bool TrainingLog::report_due(double elapsed, bool validation_next) const {
  return elapsed - last_report_ >= 10 || (steps_ > 0 && validation_next);
}

void TrainingLog::report(const TrainPosition& position, double lr, double elapsed) {
  const double loss = loss_tokens_ ? loss_sum_ / static_cast<double>(loss_tokens_) : 0;
  const double interval = elapsed - last_report_;
  const double speed = static_cast<double>(loss_tokens_) / std::max(1e-9, interval);
  // The sooner of the two limits (patience may end training sooner still).
  double remaining = -1;
  if (limits_.max_time_seconds > 0) remaining = limits_.max_time_seconds - elapsed;
  if (limits_.max_steps > 0 && steps_ > 0) {
    const double by_steps = interval / static_cast<double>(steps_) *
                            static_cast<double>(limits_.max_steps - position.step);
    remaining = remaining < 0 ? by_steps : std::min(remaining, by_steps);
  }
  const std::string eta = remaining < 0 ? "" : ", ETA " + clock_text(remaining);
  char line[320];
  std::snprintf(line, sizeof line,
                "step %lld | epoch %lld | loss %.3f | ppl %.2f | %.0f tgt tok/s | lr %.2e | "
                "grad norm %.2f | %s elapsed%s",
                static_cast<long long>(position.step), static_cast<long long>(position.epoch + 1),
                loss, std::exp(std::min(loss, 50.0)), speed, lr,
                steps_ ? grad_norm_sum_ / static_cast<double>(steps_) : 0.0,
                clock_text(elapsed).c_str(), eta.c_str());
  log_ << line << std::endl;
  const nlohmann::ordered_json entry = {
      {"step", position.step},
      {"epoch", position.epoch + 1},
      {"loss", loss},
      {"tgt_tokens_per_s", speed},
      {"lr", lr},
      {"grad_norm", steps_ ? grad_norm_sum_ / static_cast<double>(steps_) : 0.0},
      {"elapsed_s", elapsed}};
  metrics_ << entry.dump() << "\n" << std::flush;
  last_report_ = elapsed;
  loss_sum_ = grad_norm_sum_ = 0;
  loss_tokens_ = steps_ = 0;
}

void TrainingLog::validation(int64_t step, const ValidationScores& v, ValidationMetric metric,
                             bool new_best, const ValidationRecord& record, int64_t patience) {
  const bool bleu = metric == ValidationMetric::bleu;
  char line[256];
  std::snprintf(line, sizeof line, "validation at step %lld: loss %.4f | ppl %.2f%s%s",
                static_cast<long long>(step), v.loss, std::exp(std::min(v.loss, 50.0)),
                bleu ? (" | BLEU " + std::to_string(v.bleu).substr(0, 5)).c_str() : "",
                new_best ? " | new best"
                         : (" | no improvement (" + std::to_string(record.bad) + "/" +
                            std::to_string(patience) + ")")
                               .c_str());
  log_ << line << std::endl;
  nlohmann::ordered_json entry = {{"step", step}, {"valid_loss", v.loss}};
  if (bleu) entry["valid_bleu"] = v.bleu;
  metrics_ << entry.dump() << "\n" << std::flush;
}

}  // namespace rnmt
