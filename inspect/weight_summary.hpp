#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace rnmt {

// One weight matrix (or vector) of a model, summarised for a report ("kernel visuals"): its norms,
// a histogram of its values and a heatmap small enough to draw.
struct WeightSummary {
  std::string name;  // the parameter's, e.g. "encoder.l0.fwd.weights_iter"
  std::string part;  // for a recurrent layer's weights: "input gate, recurrent" and the like
  int64_t rows = 0, cols = 0;
  double frobenius = 0, max_abs = 0, mean = 0, std = 0;
  double histogram_low = 0, histogram_high = 0;  // the bins span [low, high] evenly
  std::vector<int64_t> histogram;                // [kHistogramBins]
  int64_t heatmap_rows = 0, heatmap_cols = 0;    // at most kHeatmapSide each
  std::vector<float> heatmap;                    // [heatmap_rows, heatmap_cols] block means
};
inline constexpr int64_t kHistogramBins = 41;
inline constexpr int64_t kHeatmapSide = 96;

// Every parameter of the set; a recurrent layer's weights (ldigo [input, gates, hidden] and
// [hidden, gates, hidden], bias [gates, hidden]) split into one matrix per gate, rows the layer's
// inputs or previous states and columns its units.
std::vector<WeightSummary> summarize_weights(const ParamSet& params);

// The summary of a rows x cols matrix whose element (r, c) is values[r * row_stride + c *
// col_stride].
WeightSummary summarize_matrix(const float* values, int64_t rows, int64_t cols, int64_t row_stride,
                               int64_t col_stride);

}  // namespace rnmt
