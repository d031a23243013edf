#include "report/inspection_json.hpp"

#include <cmath>

#include "attention/attention.hpp"

namespace rnmt {

namespace {

double rounded(double v) {
  return std::round(v * 1e4) / 1e4;
}

nlohmann::ordered_json values(const std::vector<float>& v) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (float x : v) out.push_back(rounded(x));
  return out;
}

std::string describe(const ModelConfig& c) {
  std::string text = "bidirectional LSTM encoder, " + std::to_string(c.encoder_layers) + " x " +
                     std::to_string(c.encoder_hidden) + " units per direction; " +
                     enum_name(kDecoderCellNames, c.decoder_cell) + " decoder, " +
                     std::to_string(c.decoder_layers) + " x " + std::to_string(c.decoder_hidden) +
                     " units";
  text.append(c.input_feeding ? ", input feeding" : "");
  text.append("; attention: ").append(enum_name(kAttentionTypeNames, c.attention));
  text.append("; embeddings ").append(std::to_string(c.embedding));
  text.append("; vocabularies ").append(std::to_string(c.src_vocab)).append(" / ");
  text.append(std::to_string(c.tgt_vocab));
  return text;
}

nlohmann::ordered_json layer_json(const SentenceLayerTrace& layer) {
  const std::vector<std::string> names = gate_names(layer.cell);
  nlohmann::ordered_json gates = nlohmann::ordered_json::array();
  for (size_t g = 0; g < layer.gates.size(); ++g) {
    const bool tanh_gate = is_tanh_gate(layer.cell, g);
    gates.push_back({{"name", names[g]},
                     {"tanh", tanh_gate},
                     {"saturation", rounded(saturation(layer.gates[g], tanh_gate))},
                     {"values", values(layer.gates[g])}});
  }
  const UnitRanking ranking = rank_units(layer, 5);
  nlohmann::ordered_json out = {{"name", layer_name(layer.role, layer.depth)},
                                {"cell", enum_name(kCellNames, layer.cell)},
                                {"steps", layer.steps},
                                {"units", layer.H},
                                {"gates", gates},
                                {"cell_state", nullptr},
                                {"hidden", values(layer.hidden)},
                                {"hidden_norm", values(layer.hidden_norm)},
                                {"most_active", ranking.most_active},
                                {"most_saturated", ranking.most_saturated}};
  if (!layer.cell_state.empty()) out["cell_state"] = values(layer.cell_state);
  return out;
}

}  // namespace

std::string layer_name(LayerRole role, int64_t depth) {
  const std::string number = std::to_string(depth + 1);
  switch (role) {
    case LayerRole::encoder_left_to_right:
      return "encoder " + number + " left-to-right";
    case LayerRole::encoder_right_to_left:
      return "encoder " + number + " right-to-left";
    case LayerRole::decoder:
      break;
  }
  return "decoder " + number;
}

nlohmann::ordered_json inspection_json(const ModelInspection& inspection) {
  nlohmann::ordered_json sentences = nlohmann::ordered_json::array();
  for (const InspectedSentence& s : inspection.sentences) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const SentenceLayerTrace& layer : s.layers) layers.push_back(layer_json(layer));
    nlohmann::ordered_json j = {{"line", s.line},
                                {"source", s.source},
                                {"translation", s.translation},
                                {"score", rounded(s.score)},
                                {"source_pieces", s.source_pieces},
                                {"target_pieces", s.target_pieces},
                                {"attention", nullptr},
                                {"layers", layers}};
    if (!s.attention.empty()) j["attention"] = values(s.attention);
    sentences.push_back(std::move(j));
  }
  nlohmann::ordered_json weights = nlohmann::ordered_json::array();
  for (const WeightSummary& w : inspection.weights) {
    weights.push_back(
        {{"name", w.name},
         {"part", w.part},
         {"rows", w.rows},
         {"cols", w.cols},
         {"frobenius", w.frobenius},
         {"max_abs", w.max_abs},
         {"mean", w.mean},
         {"std", w.std},
         {"histogram",
          {{"low", w.histogram_low}, {"high", w.histogram_high}, {"counts", w.histogram}}},
         {"heatmap",
          {{"rows", w.heatmap_rows}, {"cols", w.heatmap_cols}, {"values", values(w.heatmap)}}}});
  }
  return {
      {"kind", "inspection"},
      {"model", {{"path", inspection.model_path}, {"description", describe(inspection.config)}}},
      {"sentences", sentences},
      {"weights", weights}};
}

}  // namespace rnmt
