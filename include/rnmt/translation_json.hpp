#pragma once
// One translated line as JSON, as `rnmt translate --output-format json` writes it and the server
// answers it, so that the two cannot drift apart.
#include <cstdint>
#include <optional>
#include <string>

#include "rnmt/translator.hpp"

namespace rnmt {

// {"line"?: N, "source_tokens": [...], "truncated": bool, "hypotheses": [{"text", "score",
// "tokens", "alignment"?: [[source, target], ...], "attention"?: [[weight, ...], ...]}]}, in this
// order: "line" when given (the CLI's 0-based input line), "alignment" when the options returned
// alignments, "attention" when they returned attention weights. Text is valid UTF-8 by then (the
// tokenizer's policy has replaced or refused anything else).
std::string translation_json(const TranslationResult& result, const TranslationOptions& options,
                             std::optional<int64_t> line = std::nullopt);

}  // namespace rnmt
