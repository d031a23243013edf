#include "inspect/network_trace.hpp"

#include <cmath>

#include "core/error.hpp"

namespace rnmt {

std::vector<std::string> gate_names(Cell cell) {
  if (cell == Cell::lstm) return {"input", "forget", "candidate", "output"};
  return {"update", "reset", "candidate"};
}

bool is_tanh_gate(Cell, size_t g) {
  return g == 2;  // LSTM (i, f, c̃, o) and GRU (u, r, c̃) alike
}

double saturation(const std::vector<float>& values, bool tanh_gate) {
  if (values.empty()) return 0;
  const float low = tanh_gate ? -0.95f : 0.05f, high = 0.95f;
  size_t saturated = 0;
  for (float v : values) saturated += v < low || v > high;
  return static_cast<double>(saturated) / static_cast<double>(values.size());
}

namespace {

struct LayerSlot {
  LayerRole role;
  int64_t depth;
  RnnLayer* layer;
  bool own_states = true;  // false: a conditional decoder's cell (merge_calls)
};

std::vector<LayerSlot> recurrent_layers(Seq2Seq& network) {
  std::vector<LayerSlot> slots;
  Encoder& encoder = network.encoder();
  for (size_t l = 0; l < encoder.num_layers(); ++l) {
    slots.push_back(
        {LayerRole::encoder_left_to_right, static_cast<int64_t>(l), &encoder.direction(l, false)});
    slots.push_back(
        {LayerRole::encoder_right_to_left, static_cast<int64_t>(l), &encoder.direction(l, true)});
  }
  Decoder& decoder = network.decoder();
  for (int64_t l = 0; l < decoder.num_layers(); ++l)
    slots.push_back({LayerRole::decoder, l, &decoder.layer(static_cast<size_t>(l))});
  // a conditional decoder's first and second cells, as decoder layers 0 and 1
  if (ConditionalDecoder* conditional = network.conditional_decoder()) {
    slots.push_back({LayerRole::decoder, 0, &conditional->first(), false});
    slots.push_back({LayerRole::decoder, 1, &conditional->second(), false});
  }
  return slots;
}

// Stops every layer's recording however the traced run ends.
struct RecordingScope {
  std::vector<LayerSlot>& slots;
  ~RecordingScope() {
    for (LayerSlot& slot : slots) slot.layer->record_into(nullptr);
  }
};

}  // namespace

NetworkTrace trace_network(Seq2Seq& network, const Batch& batch, bool with_gradients) {
  std::vector<LayerSlot> slots = recurrent_layers(network);
  std::vector<RnnRecording> recordings(slots.size());
  NetworkTrace trace;
  {
    RecordingScope scope{slots};
    for (size_t i = 0; i < slots.size(); ++i) slots[i].layer->record_into(&recordings[i]);
    trace.loss = network.forward(batch, false).loss;
    if (with_gradients) {
      if (!network.params().grads()) throw Error("inspect: gradients need a trainable network");
      network.backward(batch, 1.0f / static_cast<float>(batch.tgt_tokens));
      double total = 0;
      for (const Param& p : network.params().params()) {
        double w = 0, g = 0;
        for (size_t i = 0; i < p.size; ++i) {
          w += double(p.w[i]) * p.w[i];
          g += double(p.g[i]) * p.g[i];
        }
        total += g;
        trace.parameters.push_back({p.name, std::sqrt(w), std::sqrt(g)});
      }
      trace.gradient_norm = std::sqrt(total);
      network.params().zero_grads();
    }
  }
  trace.N = batch.N;
  trace.S = batch.S;
  trace.T = batch.T;
  trace.src_lengths = batch.src_lengths;
  trace.tgt_lengths.assign(static_cast<size_t>(batch.N), 0);
  for (int64_t t = 0; t < batch.T; ++t)
    for (int64_t n = 0; n < batch.N; ++n)
      trace.tgt_lengths[static_cast<size_t>(n)] += batch.tgt_out[t * batch.N + n] != kPad;
  const Tensor& attention = network.attention().weights();
  if (network.config().attention != AttentionType::none)
    trace.attention.assign(attention.data(), attention.data() + attention.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    NetworkTrace::Layer layer{
        .role = slots[i].role,
        .depth = slots[i].depth,
        .cell = slots[i].layer->cell(),
        .sequence = merge_calls(recordings[i], *slots[i].layer, slots[i].own_states),
        .gates = {},
        .gradients = {}};
    const LayerWeights weights = weights_of(*slots[i].layer);
    layer.gates = recompute_gates(layer.sequence, weights);
    // through time within one cell; a conditional cell's gradient crosses to the other cell
    if (with_gradients && slots[i].own_states)
      layer.gradients = gradients_through_time(layer.sequence, layer.gates, weights);
    trace.layers.push_back(std::move(layer));
  }
  return trace;
}

SentenceLayerTrace sentence_trace(const NetworkTrace& trace, size_t layer_index, int64_t n) {
  const NetworkTrace::Layer& layer = trace.layers.at(layer_index);
  if (n < 0 || n >= trace.N) throw Error("inspect: no sentence " + std::to_string(n));
  const bool decoder = layer.role == LayerRole::decoder;
  const bool reversed = layer.role == LayerRole::encoder_right_to_left;
  const int64_t steps = decoder ? trace.tgt_lengths[static_cast<size_t>(n)]
                                : trace.src_lengths[static_cast<size_t>(n)];
  const int64_t N = trace.N, H = layer.sequence.hidden;
  SentenceLayerTrace out;
  out.role = layer.role;
  out.depth = layer.depth;
  out.cell = layer.cell;
  out.steps = steps;
  out.H = H;
  // Position p of the sentence is step p of the layer, or step steps-1-p right to left.
  auto rows = [&](const std::vector<float>& values, int64_t offset) {  // values [.., T, N, H]
    std::vector<float> picked(static_cast<size_t>(steps * H));
    for (int64_t p = 0; p < steps; ++p) {
      const int64_t t = reversed ? steps - 1 - p : p;
      const float* from = values.data() + offset + (t * N + n) * H;
      std::copy(from, from + H, picked.begin() + p * H);
    }
    return picked;
  };
  const GateActivity& g = layer.gates;
  for (int64_t k = 0; k < g.G; ++k) out.gates.push_back(rows(g.gates, k * g.T * N * H));
  if (!g.cell_state.empty()) out.cell_state = rows(g.cell_state, 0);
  out.hidden = rows(layer.sequence.y, 0);
  auto norms = [&](const std::vector<float>& values) {
    std::vector<float> result(static_cast<size_t>(steps));
    for (int64_t p = 0; p < steps; ++p) {
      double sum = 0;
      for (int64_t j = 0; j < H; ++j) sum += double(values[p * H + j]) * values[p * H + j];
      result[static_cast<size_t>(p)] = static_cast<float>(std::sqrt(sum));
    }
    return result;
  };
  out.hidden_norm = norms(out.hidden);
  if (!layer.gradients.dh.empty()) out.gradient_norm = norms(rows(layer.gradients.dh, 0));
  return out;
}

}  // namespace rnmt
