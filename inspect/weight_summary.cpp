#include "inspect/weight_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace rnmt {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Gate names in oneDNN's order: LSTM (4 weight gates) or linear-before-reset GRU (3, and a fourth
// bias added to the candidate's recurrent part).
std::vector<std::string> gates_of(int64_t weight_gates) {
  if (weight_gates == 4) return {"input gate", "forget gate", "candidate", "output gate"};
  return {"update gate", "reset gate", "candidate", "candidate (recurrent bias)"};
}

}  // namespace

WeightSummary summarize_matrix(const float* values, int64_t rows, int64_t cols, int64_t row_stride,
                               int64_t col_stride) {
  WeightSummary s;
  s.rows = rows;
  s.cols = cols;
  auto at = [&](int64_t r, int64_t c) { return values[r * row_stride + c * col_stride]; };
  double sum = 0, squares = 0, max_abs = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const double v = at(r, c);
      sum += v;
      squares += v * v;
      max_abs = std::max(max_abs, std::fabs(v));
    }
  const double count = static_cast<double>(rows * cols);
  s.frobenius = std::sqrt(squares);
  s.max_abs = max_abs;
  s.mean = count > 0 ? sum / count : 0;
  s.std = count > 0 ? std::sqrt(std::max(0.0, squares / count - s.mean * s.mean)) : 0;
  // Symmetric bins around zero, so matrices of one model compare by eye.
  s.histogram_low = -max_abs;
  s.histogram_high = max_abs;
  s.histogram.assign(static_cast<size_t>(kHistogramBins), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const double position = max_abs > 0 ? (at(r, c) + max_abs) / (2 * max_abs) : 0.5;
      const int64_t bin = std::clamp<int64_t>(static_cast<int64_t>(position * kHistogramBins), 0,
                                              kHistogramBins - 1);
      ++s.histogram[static_cast<size_t>(bin)];
    }
  // Block means: cell (a, b) covers rows [a·rows/hr, (a+1)·rows/hr) and likewise columns.
  s.heatmap_rows = std::min(rows, kHeatmapSide);
  s.heatmap_cols = std::min(cols, kHeatmapSide);
  s.heatmap.assign(static_cast<size_t>(s.heatmap_rows * s.heatmap_cols), 0.0f);
  for (int64_t a = 0; a < s.heatmap_rows; ++a) {
    const int64_t r0 = a * rows / s.heatmap_rows, r1 = (a + 1) * rows / s.heatmap_rows;
    for (int64_t b = 0; b < s.heatmap_cols; ++b) {
      const int64_t c0 = b * cols / s.heatmap_cols, c1 = (b + 1) * cols / s.heatmap_cols;
      double block = 0;
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) block += at(r, c);
      s.heatmap[static_cast<size_t>(a * s.heatmap_cols + b)] =
          static_cast<float>(block / static_cast<double>((r1 - r0) * (c1 - c0)));
    }
  }
  return s;
}

std::vector<WeightSummary> summarize_weights(const ParamSet& params) {
  // Recurrent layers by name ("encoder.l0.fwd"), with their weight gate counts.
  std::map<std::string, int64_t> recurrent;
  for (const Param& p : params.params())
    if (p.dims.size() == 3 && ends_with(p.name, ".weights_layer"))
      recurrent[p.name.substr(0, p.name.size() - std::string(".weights_layer").size())] = p.dims[1];
  auto layer_of = [&](const std::string& name) -> const std::pair<const std::string, int64_t>* {
    const size_t dot = name.rfind('.');
    auto it = dot == std::string::npos ? recurrent.end() : recurrent.find(name.substr(0, dot));
    return it == recurrent.end() ? nullptr : &*it;
  };
  std::vector<WeightSummary> out;
  for (const Param& p : params.params()) {
    const auto* layer = layer_of(p.name);
    if (layer && p.dims.size() == 3) {  // [rows, gates, units]
      const int64_t rows = p.dims[0], G = p.dims[1], H = p.dims[2];
      const char* kind = ends_with(p.name, ".weights_layer") ? ", input" : ", recurrent";
      const auto gates = gates_of(G);
      for (int64_t g = 0; g < G; ++g) {
        WeightSummary s = summarize_matrix(p.w + g * H, rows, H, G * H, 1);
        s.name = p.name;
        s.part = gates[static_cast<size_t>(g)] + kind;
        out.push_back(std::move(s));
      }
    } else if (layer && p.dims.size() == 2) {  // bias [4, units]
      const int64_t H = p.dims[1];
      const auto gates = gates_of(layer->second);
      for (int64_t g = 0; g < p.dims[0]; ++g) {
        WeightSummary s = summarize_matrix(p.w + g * H, 1, H, H, 1);
        s.name = p.name;
        s.part = gates[static_cast<size_t>(g)] + ", bias";
        out.push_back(std::move(s));
      }
    } else {
      const int64_t rows = p.dims.size() >= 2 ? p.dims[0] : 1;
      const int64_t cols = static_cast<int64_t>(p.size) / rows;
      WeightSummary s = summarize_matrix(p.w, rows, cols, cols, 1);
      s.name = p.name;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace rnmt
