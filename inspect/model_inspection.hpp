#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "inspect/network_trace.hpp"
#include "inspect/weight_summary.hpp"
#include "model/seq2seq.hpp"
#include "rnmt/translator.hpp"

namespace rnmt {

// One translated line and what every recurrent layer did on it.
struct InspectedSentence {
  int64_t line = 0;  // 1-based, in the input
  std::string source, translation;
  double score = 0;
  std::vector<std::string> source_pieces, target_pieces;  // target ends with </s>
  std::vector<float> attention;  // [target pieces, source pieces]; empty without attention
  std::vector<SentenceLayerTrace> layers;  // empty for an empty line
};

struct ModelInspection {
  std::string model_path;
  ModelConfig config;
  std::vector<InspectedSentence> sentences;
  std::vector<WeightSummary> weights;
};

// Translates the lines with `translator`, the model file's (options as given: start from the
// recipe's, translator.default_options()), then runs the file's network teacher forced on each
// line and its best translation, recording every recurrent layer: the states search went through.
ModelInspection inspect_model(const Translator& translator, const std::string& model_path,
                              const std::vector<std::string>& lines,
                              const TranslationOptions& options);

// A layer's units ranked for a reader: the most active (largest mean |h_t|) and the most saturated
// (largest fraction of saturated sigmoid-gate values), k of each, best first.
struct UnitRanking {
  std::vector<int64_t> most_active, most_saturated;
};
UnitRanking rank_units(const SentenceLayerTrace& layer, size_t k);

}  // namespace rnmt
