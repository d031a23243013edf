#include "server/request.hpp"

namespace rnmt {

namespace {

RequestError bad(const std::string& message) {
  return {400, message};
}

std::string type_of(const nlohmann::json& v) {
  return v.type_name();
}

int64_t integer(const nlohmann::json& v, const std::string& name) {
  if (!v.is_number_integer())
    throw bad("option '" + name + "' must be an integer, not " + type_of(v));
  return v.get<int64_t>();
}

double real(const nlohmann::json& v, const std::string& name) {
  if (!v.is_number()) throw bad("option '" + name + "' must be a number, not " + type_of(v));
  return v.get<double>();
}

bool boolean(const nlohmann::json& v, const std::string& name) {
  if (!v.is_boolean()) throw bad("option '" + name + "' must be true or false, not " + type_of(v));
  return v.get<bool>();
}

std::string text(const nlohmann::json& v, const std::string& name) {
  if (!v.is_string()) throw bad("'" + name + "' must be a string, not " + type_of(v));
  return v.get<std::string>();
}

}  // namespace

TranslateRequest parse_translate_request(const std::string& body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw bad("the body is not valid JSON");
  TranslateRequest r;
  if (j.is_array()) {  // OpenNMT-py: [{"src": ..., "id": N}, ...]
    r.form = TranslateRequest::Form::opennmt;
    for (size_t i = 0; i < j.size(); ++i) {
      const nlohmann::json& item = j[i];
      const std::string where = "element " + std::to_string(i);
      if (!item.is_object()) throw bad(where + " must be an object {\"src\": ..., \"id\": ...}");
      if (!item.contains("src")) throw bad(where + " has no \"src\"");
      r.lines.push_back(text(item["src"], where + ".src"));
      std::string model;
      if (item.contains("id")) {
        const nlohmann::json& id = item["id"];
        if (!id.is_number_integer() && !id.is_string())
          throw bad(where + ".id must be an integer or a string");
        model = id.is_string() ? id.get<std::string>() : std::to_string(id.get<int64_t>());
      }
      if (i > 0 && model != r.model) throw bad("every element must name the same model id");
      r.model = model;
    }
    return r;
  }
  if (!j.is_object()) throw bad("the body must be a JSON object (or OpenNMT-py's array)");
  for (const auto& [key, value] : j.items()) {
    if (key == "model") {
      r.model = text(value, "model");
    } else if (key == "text") {
      if (value.is_string()) {
        r.lines.push_back(value.get<std::string>());
      } else if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i)
          r.lines.push_back(text(value[i], "text[" + std::to_string(i) + "]"));
      } else {
        throw bad("'text' must be a string or an array of strings, not " + type_of(value));
      }
    } else if (key == "options") {
      if (!value.is_object()) throw bad("'options' must be an object, not " + type_of(value));
      r.options = value;
    } else if (key == "timeout_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1)
        throw bad("'timeout_ms' must be a positive integer");
      r.timeout_ms = value.get<int64_t>();
    } else {
      throw bad("unknown field '" + key + "' (expected model, text, options, timeout_ms)");
    }
  }
  if (!j.contains("text")) throw bad("no 'text' to translate");
  return r;
}

TranslationOptions apply_options(const nlohmann::json& options, TranslationOptions o) {
  for (const auto& [name, v] : options.items()) {
    if (name == "beam_size")
      o.beam_size = integer(v, name);
    else if (name == "num_hypotheses")
      o.num_hypotheses = integer(v, name);
    else if (name == "length_penalty")
      o.length_penalty = real(v, name);
    else if (name == "max_length_ratio")
      o.max_length_ratio = real(v, name);
    else if (name == "min_decoding_length")
      o.min_decoding_length = integer(v, name);
    else if (name == "max_decoding_length")
      o.max_decoding_length = integer(v, name);
    else if (name == "repetition_penalty")
      o.repetition_penalty = real(v, name);
    else if (name == "no_repeat_ngram_size")
      o.no_repeat_ngram_size = integer(v, name);
    else if (name == "word_penalty")
      o.word_penalty = real(v, name);
    else if (name == "return_alignments")
      o.return_alignments = boolean(v, name);
    else if (name == "return_attention")
      o.return_attention = boolean(v, name);
    else if (name == "sampling_topk")
      o.sampling_topk = integer(v, name);
    else if (name == "sampling_topp")
      o.sampling_topp = real(v, name);
    else if (name == "sampling_temperature")
      o.sampling_temperature = real(v, name);
    else if (name == "random_seed") {
      const int64_t seed = integer(v, name);
      if (seed < 0) throw bad("option 'random_seed' must not be negative");
      o.random_seed = static_cast<uint64_t>(seed);
    } else if (name == "compute_type")
      o.compute_type = text(v, "option 'compute_type'");
    else if (name == "target_prefix") {
      if (!v.is_array())
        throw bad("option 'target_prefix' must be an array of strings (one per line)");
      o.target_prefix.clear();
      for (size_t i = 0; i < v.size(); ++i)
        o.target_prefix.push_back(text(v[i], "target_prefix[" + std::to_string(i) + "]"));
    } else if (name == "max_batch_size" || name == "max_batch_tokens" || name == "threads") {
      throw bad("option '" + name + "' is the server's to set (rnmt serve --help)");
    } else {
      throw bad("unknown option '" + name + "'");
    }
  }
  return o;
}

nlohmann::json translate_response(const TranslateRequest& request, const std::string& model,
                                  const std::vector<TranslationResult>& results,
                                  const TranslationOptions& options) {
  if (request.form == TranslateRequest::Form::opennmt) {
    nlohmann::json out = nlohmann::json::array();
    nlohmann::json batch = nlohmann::json::array();
    for (size_t i = 0; i < results.size(); ++i) {
      for (const TranslationHypothesis& h : results[i].hypotheses) {
        nlohmann::json item = {{"src", request.lines[i]},
                               {"tgt", h.text},
                               {"n_best", options.num_hypotheses},
                               {"pred_score", h.score}};
        if (options.return_alignments) {
          std::string align;
          for (const AlignmentPoint& a : h.alignment) {
            if (!align.empty()) align += ' ';
            align += std::to_string(a.source) + "-" + std::to_string(a.target);
          }
          item["align"] = nlohmann::json::array({align});
        }
        batch.push_back(std::move(item));
      }
    }
    out.push_back(std::move(batch));
    return out;
  }
  nlohmann::json translations = nlohmann::json::array();
  for (const TranslationResult& r : results) {
    nlohmann::json hypotheses = nlohmann::json::array();
    for (const TranslationHypothesis& h : r.hypotheses) {
      nlohmann::json j = {{"text", h.text}, {"score", h.score}, {"tokens", h.tokens}};
      if (options.return_alignments) {
        nlohmann::json pairs = nlohmann::json::array();
        for (const AlignmentPoint& a : h.alignment) pairs.push_back({a.source, a.target});
        j["alignment"] = std::move(pairs);
      }
      if (options.return_attention) j["attention"] = h.attention;
      hypotheses.push_back(std::move(j));
    }
    translations.push_back({{"hypotheses", std::move(hypotheses)},
                            {"source_tokens", r.source_tokens},
                            {"truncated", r.truncated}});
  }
  return {{"model", model}, {"translations", std::move(translations)}};
}

std::string error_body(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

}  // namespace rnmt
