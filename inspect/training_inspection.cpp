#include "inspect/training_inspection.hpp"

#include <algorithm>

namespace rnmt {

TrainingInspection inspect_training(Seq2Seq& network, const Batch& batch, double clip_norm,
                                    int64_t step) {
  const NetworkTrace trace = trace_network(network, batch, true);
  TrainingInspection out;
  out.step = step;
  out.loss_per_token = trace.loss / static_cast<double>(std::max<int64_t>(1, batch.tgt_tokens));
  out.parameters = trace.parameters;
  out.gradient_norm = trace.gradient_norm;
  out.clipped_gradient_norm =
      clip_norm > 0 ? std::min(trace.gradient_norm, clip_norm) : trace.gradient_norm;
  for (size_t l = 0; l < trace.layers.size(); ++l) {
    const NetworkTrace::Layer& layer = trace.layers[l];
    TrainingInspection::Layer summary{.role = layer.role,
                                      .depth = layer.depth,
                                      .cell = layer.cell,
                                      .gradient_norm = {},
                                      .sentences = {},
                                      .saturation = {}};
    std::vector<std::vector<float>> gate_values(static_cast<size_t>(layer.gates.G));
    for (int64_t n = 0; n < trace.N; ++n) {
      const SentenceLayerTrace s = sentence_trace(trace, l, n);
      if (summary.gradient_norm.size() < static_cast<size_t>(s.steps)) {
        summary.gradient_norm.resize(static_cast<size_t>(s.steps), 0.0);
        summary.sentences.resize(static_cast<size_t>(s.steps), 0);
      }
      for (int64_t p = 0; p < s.steps; ++p) {
        summary.gradient_norm[static_cast<size_t>(p)] += s.gradient_norm[static_cast<size_t>(p)];
        ++summary.sentences[static_cast<size_t>(p)];
      }
      for (size_t g = 0; g < s.gates.size(); ++g)
        gate_values[g].insert(gate_values[g].end(), s.gates[g].begin(), s.gates[g].end());
    }
    for (size_t p = 0; p < summary.gradient_norm.size(); ++p)
      summary.gradient_norm[p] /= static_cast<double>(summary.sentences[p]);
    for (size_t g = 0; g < gate_values.size(); ++g)
      summary.saturation.push_back(saturation(gate_values[g], is_tanh_gate(layer.cell, g)));
    out.layers.push_back(std::move(summary));
  }
  return out;
}

}  // namespace rnmt
