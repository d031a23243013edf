#include "training/validation_record.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rnmt {

bool record_validation(ValidationRecord& r, double score, int64_t step, bool halve_on_plateau) {
  if (std::isnan(r.best) || score > r.best) {
    r.best = score;
    r.best_step = step;
    r.bad = 0;
    return true;
  }
  ++r.bad;
  if (halve_on_plateau) r.lr_scale *= 0.5;
  return false;
}

bool patience_exhausted(const ValidationRecord& r, int64_t patience) {
  return patience > 0 && r.bad >= patience;
}

std::string format_validation_record(const ValidationRecord& r) {
  char b[128];
  std::snprintf(b, sizeof b, "%.17g %lld %lld %.17g\n", r.best, static_cast<long long>(r.best_step),
                static_cast<long long>(r.bad), r.lr_scale);
  return b;
}

ValidationRecord parse_validation_record(const std::string& text) {
  // strtod, not operator>>: a stream refuses "nan" (no validation yet) and stores 0 instead,
  // which made a run resumed before its first validation treat 0 as the best score so far.
  ValidationRecord r;
  std::istringstream in(text);
  std::string best, lr_scale;
  in >> best >> r.best_step >> r.bad >> lr_scale;
  if (!best.empty()) r.best = std::strtod(best.c_str(), nullptr);
  if (!lr_scale.empty()) r.lr_scale = std::strtod(lr_scale.c_str(), nullptr);
  return r;
}

}  // namespace rnmt
