#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rnmt/translator.hpp"

namespace rnmt {

// A client error in a request: the HTTP status to answer and the message.
struct RequestError {
  int status = 400;
  std::string message;
};

// A POST /translate body, parsed. Two forms:
// - rnmt's: {"model": "NAME", "text": ["line", ...] | "line", "options": {...}, "timeout_ms": N};
// - OpenNMT-py's REST server's: [{"src": "line", "id": N}, ...] (id: the model named N; every
//   element must name the same model), answered in its form.
struct TranslateRequest {
  enum class Form { rnmt, opennmt };
  Form form = Form::rnmt;
  std::string model;                                  // "" : the server's default model
  std::vector<std::string> lines;                     // raw text
  nlohmann::json options = nlohmann::json::object();  // as sent; applied by apply_options
  std::optional<int64_t> timeout_ms;                  // overrides the server's default when given
};

// Parses a body (malformed JSON, a wrong shape or type is a RequestError with status 400).
TranslateRequest parse_translate_request(const std::string& body);

// The request's options over the model's defaults. Every name is one of TranslationOptions' (read
// from its field table); an unknown name, a value of the wrong type, or a server-side setting
// (batching, threads) is a RequestError naming it.
TranslationOptions apply_options(const nlohmann::json& options, TranslationOptions defaults);

// The answer's JSON text: rnmt's {"model", "translations": [one translation_json() per line]}, or
// OpenNMT-py's [[{"src", "tgt", "n_best", "pred_score", "align"?}, ...]].
std::string translate_response(const TranslateRequest& request, const std::string& model,
                               const std::vector<TranslationResult>& results,
                               const TranslationOptions& options);

// Lines batch together only with lines under the same options: the key holds every field of the
// options' table but the per-line target prefixes, of which only the presence counts. Seeded
// sampling adds the request's serial, keeping its lines to themselves, so that its samples are
// those of translating it alone.
std::string batch_key(const TranslationOptions& options, uint64_t serial);

// {"error": message}
std::string error_body(const std::string& message);

}  // namespace rnmt
