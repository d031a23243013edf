#include "server/request.hpp"

#include <type_traits>

#include "rnmt/translation_json.hpp"

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

// A JSON option's value as the field's type T, or a RequestError naming the option.
template <class T>
T option_value(const nlohmann::json& v, const std::string& name) {
  if constexpr (std::is_same_v<T, bool>) {
    return boolean(v, name);
  } else if constexpr (std::is_same_v<T, double>) {
    return real(v, name);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return text(v, "option '" + name + "'");
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!v.is_array())
      throw bad("option '" + name + "' must be an array of strings (one per line)");
    T list;
    for (size_t i = 0; i < v.size(); ++i)
      list.push_back(text(v[i], name + "[" + std::to_string(i) + "]"));
    return list;
  } else {  // the integers
    const int64_t n = integer(v, name);
    if (std::is_unsigned_v<T> && n < 0) throw bad("option '" + name + "' must not be negative");
    return static_cast<T>(n);
  }
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
  for (const auto& item : options.items()) {
    const std::string& name = item.key();
    const TranslationOptionField* f = find_translation_option(name);
    if (!f || name != f->name) throw bad("unknown option '" + name + "'");
    if (!(f->use & kOptionRequest))
      throw bad("option '" + name + "' is the server's to set (rnmt serve --help)");
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(TranslationOptions{}.*member)>;
          o.*member = option_value<T>(item.value(), name);
        },
        f->member);
  }
  return o;
}

std::string translate_response(const TranslateRequest& request, const std::string& model,
                               const std::vector<TranslationResult>& results,
                               const TranslationOptions& options) {
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (request.form == TranslateRequest::Form::opennmt) {
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
    return nlohmann::json::array({std::move(batch)}).dump(-1, ' ', false, kReplace);
  }
  // rnmt's form: each line as `rnmt translate --output-format json` writes it (less "line")
  std::string out =
      "{\"model\":" + nlohmann::json(model).dump(-1, ' ', false, kReplace) + ",\"translations\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i > 0) out += ',';
    out += translation_json(results[i], options);
  }
  out += "]}";
  return out;
}

std::string batch_key(const TranslationOptions& o, uint64_t serial) {
  nlohmann::json j = nlohmann::json::array();
  for (const TranslationOptionField& f : translation_option_fields()) {
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(TranslationOptions{}.*member)>;
          if constexpr (std::is_same_v<T, std::vector<std::string>>)
            j.push_back(!(o.*member).empty());
          else
            j.push_back(o.*member);
        },
        f.member);
  }
  if (o.sampling_topk != 1 && o.random_seed != 0) j.push_back(serial);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_body(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

}  // namespace rnmt
