// Arbitrary bytes as a POST /translate body. Properties: parsing returns a request or throws a
// RequestError with status 400 (nothing else escapes); the options of an accepted request apply or
// are refused the same way; its answer (each line translated as itself) is JSON that parses back
// with every line's text intact, in either request form.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/check.hpp"
#include "server/request.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  TranslateRequest request;
  TranslationOptions options;
  try {
    request = parse_translate_request(body);
    options = apply_options(request.options, TranslationOptions{});
  } catch (const RequestError& e) {
    FUZZ_CHECK(e.status == 400 && !e.message.empty());
    return 0;
  }
  std::vector<TranslationResult> results(request.lines.size());
  for (size_t i = 0; i < results.size(); ++i)
    results[i].hypotheses.push_back(
        {.text = request.lines[i], .tokens = {}, .score = -1.0, .alignment = {}, .attention = {}});
  // every line comes back as it was sent (a replaced byte would show here)
  const std::string answer = translate_response(request, "m", results, options);
  const nlohmann::json back = nlohmann::json::parse(answer);
  for (size_t i = 0; i < results.size(); ++i) {
    const nlohmann::json& text = request.form == TranslateRequest::Form::opennmt
                                     ? back[0][i]["tgt"]
                                     : back["translations"][i]["hypotheses"][0]["text"];
    FUZZ_CHECK(text == request.lines[i]);
  }
  return 0;
}
