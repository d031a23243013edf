#include "inspect/model_inspection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model_file/model_file.hpp"

namespace rnmt {

namespace {

// Lines traced together: bounded memory whatever the input's size.
constexpr size_t kTraceBatch = 16;

Sentence ids_of(const std::vector<std::string>& pieces, const Vocabulary& vocabulary) {
  Sentence ids;
  ids.reserve(pieces.size());
  for (const std::string& piece : pieces) ids.push_back(vocabulary.id(piece));
  return ids;
}

std::vector<int64_t> top_k(const std::vector<double>& values, size_t k) {
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](int64_t a, int64_t b) {
                      return values[static_cast<size_t>(a)] > values[static_cast<size_t>(b)];
                    });
  order.resize(k);
  return order;
}

}  // namespace

ModelInspection inspect_model(const Translator& translator, const std::string& model_path,
                              const std::vector<std::string>& lines,
                              const TranslationOptions& options) {
  const std::vector<TranslationResult> results = translator.translate(lines, options);
  LoadedModel model = load_model(model_path);
  ModelInspection inspection{.model_path = model_path,
                             .config = model.network->config(),
                             .sentences = {},
                             .weights = summarize_weights(model.network->params())};
  for (size_t i = 0; i < lines.size(); ++i) {
    const TranslationHypothesis& best = results[i].hypotheses.front();
    InspectedSentence s;
    s.line = static_cast<int64_t>(i) + 1;
    s.source = lines[i];
    s.translation = best.text;
    s.score = best.score;
    s.source_pieces = results[i].source_tokens;
    s.target_pieces = best.tokens;
    if (!s.source_pieces.empty()) s.target_pieces.push_back(Vocabulary::kSpecials[kEos]);
    inspection.sentences.push_back(std::move(s));
  }
  // Teacher forcing on the translations, a few lines at a time.
  std::vector<size_t> traced;
  for (size_t i = 0; i < lines.size(); ++i)
    if (!inspection.sentences[i].source_pieces.empty()) traced.push_back(i);
  for (size_t begin = 0; begin < traced.size(); begin += kTraceBatch) {
    const size_t end = std::min(traced.size(), begin + kTraceBatch);
    std::vector<Sentence> sources, targets;
    for (size_t k = begin; k < end; ++k) {
      const InspectedSentence& s = inspection.sentences[traced[k]];
      sources.push_back(ids_of(s.source_pieces, model.src->model().vocabulary));
      std::vector<std::string> output(s.target_pieces.begin(), s.target_pieces.end() - 1);
      targets.push_back(ids_of(output, model.tgt->model().vocabulary));
    }
    std::vector<const Sentence*> source_ptrs, target_ptrs;
    for (size_t k = 0; k < sources.size(); ++k) {
      source_ptrs.push_back(&sources[k]);
      target_ptrs.push_back(&targets[k]);
    }
    const Batch batch = make_batch(source_ptrs, target_ptrs);
    const NetworkTrace trace = trace_network(*model.network, batch, false);
    for (size_t k = begin; k < end; ++k) {
      InspectedSentence& s = inspection.sentences[traced[k]];
      const int64_t n = static_cast<int64_t>(k - begin);
      for (size_t l = 0; l < trace.layers.size(); ++l)
        s.layers.push_back(sentence_trace(trace, l, n));
      if (!trace.attention.empty()) {
        const int64_t T = trace.tgt_lengths[static_cast<size_t>(n)];
        const int64_t S = trace.src_lengths[static_cast<size_t>(n)];
        for (int64_t t = 0; t < T; ++t)
          for (int64_t j = 0; j < S; ++j)
            s.attention.push_back(
                trace.attention[static_cast<size_t>((t * trace.N + n) * trace.S + j)]);
      }
    }
  }
  return inspection;
}

UnitRanking rank_units(const SentenceLayerTrace& layer, size_t k) {
  const int64_t H = layer.H, steps = layer.steps;
  std::vector<double> activity(static_cast<size_t>(H), 0.0), saturated(static_cast<size_t>(H), 0.0);
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t j = 0; j < H; ++j)
      activity[static_cast<size_t>(j)] += std::fabs(layer.hidden[static_cast<size_t>(t * H + j)]);
  for (size_t g = 0; g < layer.gates.size(); ++g) {
    if (is_tanh_gate(layer.cell, g)) continue;
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t j = 0; j < H; ++j) {
        const float v = layer.gates[g][static_cast<size_t>(t * H + j)];
        saturated[static_cast<size_t>(j)] += v < 0.05f || v > 0.95f;
      }
  }
  return {top_k(activity, k), top_k(saturated, k)};
}

}  // namespace rnmt
