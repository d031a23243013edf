#include "rnmt/translation_json.hpp"

#include <nlohmann/json.hpp>

namespace rnmt {

std::string translation_json(const TranslationResult& r, const TranslationOptions& options,
                             std::optional<int64_t> line) {
  using json = nlohmann::ordered_json;
  json hypotheses = json::array();
  for (const TranslationHypothesis& h : r.hypotheses) {
    json j = {{"text", h.text}, {"score", h.score}, {"tokens", h.tokens}};
    if (options.return_alignments) {
      json pairs = json::array();
      for (const AlignmentPoint& a : h.alignment) pairs.push_back({a.source, a.target});
      j["alignment"] = std::move(pairs);
    }
    if (options.return_attention) j["attention"] = h.attention;  // [output piece][source piece]
    hypotheses.push_back(std::move(j));
  }
  json out = json::object();
  if (line) out["line"] = *line;
  out["source_tokens"] = r.source_tokens;
  out["truncated"] = r.truncated;
  out["hypotheses"] = std::move(hypotheses);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace rnmt
