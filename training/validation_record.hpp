#pragma once
#include <cmath>
#include <cstdint>
#include <string>

namespace rnmt {

// What validation has seen so far: the best score and its step, the validations since then
// without improvement (early stopping), and the plateau schedule's learning-rate factor. It must
// survive a restart, so it travels in the checkpoint with the weights it describes.
struct ValidationRecord {
  double best = NAN;  // higher is better (BLEU, or minus the loss)
  int64_t best_step = 0;
  int64_t bad = 0;  // validations in a row without a new best
  double lr_scale = 1.0;
};

// Records a validation's score at `step`; true when it is a new best. Without improvement the
// learning-rate factor halves when halve_on_plateau.
bool record_validation(ValidationRecord& record, double score, int64_t step, bool halve_on_plateau);
// Whether `patience` validations without improvement have passed (0: never).
bool patience_exhausted(const ValidationRecord& record, int64_t patience);

// The record as one line of text (exact: doubles in %.17g), and back.
std::string format_validation_record(const ValidationRecord& record);
ValidationRecord parse_validation_record(const std::string& text);

}  // namespace rnmt
