#include "training/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace rnmt {

double learning_rate(const LearningRateSchedule& s, int64_t step, double plateau_scale) {
  const double t = static_cast<double>(step),
               warm = static_cast<double>(std::max<int64_t>(1, s.warmup_steps));
  if (s.kind == LrSchedule::inverse_sqrt) return s.base * std::min(t / warm, std::sqrt(warm / t));
  const double lr = s.base * plateau_scale;
  return s.warmup_steps > 0 ? lr * std::min(1.0, t / warm) : lr;
}

}  // namespace rnmt
