#pragma once
#include <cstdint>

#include "recipe/recipe.hpp"

namespace rnmt {

struct LearningRateSchedule {
  double base = 0.001;
  LrSchedule kind = LrSchedule::constant;
  int64_t warmup_steps = 0;  // linear warm-up over these first updates (0: none)
};

// The learning rate of update number `step` (from 1). plateau_scale is the factor the plateau
// schedule has reached (validation_record.hpp); the other schedules are given 1.
double learning_rate(const LearningRateSchedule& schedule, int64_t step, double plateau_scale);

}  // namespace rnmt
