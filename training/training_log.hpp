#pragma once
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>

#include "recipe/recipe.hpp"
#include "training/trainer.hpp"
#include "training/validation_record.hpp"

namespace rnmt {

// Validation figures: the loss per target token, and greedy BLEU when that is the metric.
struct ValidationScores {
  double loss = 0, bleu = 0;
};

// What a training run reports: a progress line on the log every 10 seconds (and before each
// validation), a line per validation, and the same figures as JSON lines in metrics.jsonl.
class TrainingLog {
 public:
  struct Limits {
    double max_time_seconds = 0;  // for the ETA: the time limit, or else
    int64_t max_steps = 0;        // the step limit (0: none)
  };
  TrainingLog(std::ostream& log, const std::string& metrics_path, Limits limits);

  void add_step(const StepResult& step);  // counts an applied step into the next report
  // Whether a progress line is due: 10 s since the last, or a validation is next.
  bool report_due(double elapsed, bool validation_next) const;
  void report(const TrainPosition& position, double lr, double elapsed);
  void validation(int64_t step, const ValidationScores& scores, ValidationMetric metric,
                  bool new_best, const ValidationRecord& record, int64_t patience);

 private:
  std::ostream& log_;
  std::ofstream metrics_;
  Limits limits_;
  double last_report_ = 0, loss_sum_ = 0, grad_norm_sum_ = 0;
  int64_t loss_tokens_ = 0, steps_ = 0;
};

// h:mm:ss
std::string clock_text(double seconds);

}  // namespace rnmt
