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

// The request's options over the model's defaults. Every name is one of TranslationOptions' (the
// CLI's names with underscores); an unknown name, a value of the wrong type, or a server-side
// setting (batching, threads) is a RequestError naming it.
TranslationOptions apply_options(const nlohmann::json& options, TranslationOptions defaults);

// The answer: rnmt's {"model", "translations": [{"hypotheses": [{"text", "score", "tokens",
// "alignment"?, "attention"?}], "source_tokens", "truncated"}]}, or OpenNMT-py's
// [[{"src", "tgt", "n_best", "pred_score", "align"?}, ...]].
nlohmann::json translate_response(const TranslateRequest& request, const std::string& model,
                                  const std::vector<TranslationResult>& results,
                                  const TranslationOptions& options);

// {"error": message}
std::string error_body(const std::string& message);

}  // namespace rnmt
