#include "recipe/recipe.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "tokenizer/normalizer.hpp"

namespace rnmt {
namespace {

enum class Kind { integer, real, boolean, text, choice, duration };

struct Field {
  std::string key;
  Kind kind;
  void* target;                           // the field, for every kind but choice
  std::vector<std::string> choices = {};  // choice: the names, and how to set and read the enum
  std::function<void(const std::string&)> set_choice = {};
  std::function<std::string()> choice_name = {};
  double min = -1e300;  // for numbers
};

Field number(std::string key, Kind kind, void* target, double min) {
  return {std::move(key), kind, target, {}, {}, {}, min};
}

// A key whose value is one of an enum's names.
template <class Enum, size_t N>
Field choice(std::string key, Enum* target, const EnumName<Enum> (&names)[N]) {
  Field f{std::move(key), Kind::choice, nullptr, {}, {}, {}};
  for (const auto& entry : names) f.choices.push_back(entry.name);
  f.set_choice = [target, &names](const std::string& v) { *target = parse_enum(names, v, "name"); };
  f.choice_name = [target, &names] { return std::string(enum_name(names, *target)); };
  return f;
}

// The schema: every key a recipe may hold, bound to its field in `r`.
std::vector<Field> schema(Recipe& r) {
  using K = Kind;
  return {
      {"workdir", K::text, &r.workdir},
      {"data.train.src", K::text, &r.data.train.src},
      {"data.train.tgt", K::text, &r.data.train.tgt},
      {"data.valid.src", K::text, &r.data.valid.src},
      {"data.valid.tgt", K::text, &r.data.valid.tgt},
      {"data.test.src", K::text, &r.data.test.src},
      {"data.test.tgt", K::text, &r.data.test.tgt},
      number("data.max_length", K::integer, &r.data.max_length, 1),
      {"data.prepare", K::text, &r.data.prepare},
      choice("tokenizer.normalization", &r.tokenizer.normalization, kNormalizationNames),
      {"tokenizer.joint", K::boolean, &r.tokenizer.joint},
      number("tokenizer.bpe.merges", K::integer, &r.tokenizer.merges, 0),
      number("tokenizer.bpe.dropout", K::real, &r.tokenizer.dropout, 0),
      number("model.embedding", K::integer, &r.model.embedding, 1),
      number("model.encoder.layers", K::integer, &r.model.encoder_layers, 1),
      number("model.encoder.hidden", K::integer, &r.model.encoder_hidden, 1),
      choice("model.decoder.cell", &r.model.decoder_cell, kCellNames),
      number("model.decoder.layers", K::integer, &r.model.decoder_layers, 1),
      number("model.decoder.hidden", K::integer, &r.model.decoder_hidden, 1),
      {"model.decoder.input_feeding", K::boolean, &r.model.input_feeding},
      choice("model.attention", &r.model.attention, kAttentionTypeNames),
      number("model.dropout", K::real, &r.model.dropout, 0),
      {"model.tied_embeddings", K::boolean, &r.model.tied_embeddings},
      {"model.pretrained_embeddings.src", K::text, &r.model.pretrained.src},
      {"model.pretrained_embeddings.tgt", K::text, &r.model.pretrained.tgt},
      choice("model.pretrained_embeddings.format", &r.model.pretrained.format,
             kWordVectorFormatNames),
      {"model.pretrained_embeddings.freeze", K::boolean, &r.model.pretrained.freeze},
      choice("training.optimizer", &r.training.optimizer, kOptimizerNames),
      number("training.lr", K::real, &r.training.lr, 0),
      choice("training.schedule", &r.training.schedule, kLrScheduleNames),
      number("training.warmup_steps", K::integer, &r.training.warmup_steps, 0),
      number("training.batch.sentences", K::integer, &r.training.batch_sentences, 0),
      number("training.batch.tokens", K::integer, &r.training.batch_tokens, 0),
      number("training.clip_norm", K::real, &r.training.clip_norm, 0),
      number("training.label_smoothing", K::real, &r.training.label_smoothing, 0),
      number("training.seed", K::integer, &r.training.seed, 0),
      number("training.threads", K::integer, &r.training.threads, 1),
      {"training.follow_load", K::boolean, &r.training.follow_load},
      number("training.max_steps", K::integer, &r.training.max_steps, 0),
      number("training.max_epochs", K::integer, &r.training.max_epochs, 0),
      {"training.max_time", K::duration, &r.training.max_time_seconds},
      number("training.inspect_every", K::integer, &r.training.inspect_every, 0),
      number("validation.every", K::integer, &r.validation.every, 1),
      choice("validation.metric", &r.validation.metric, kValidationMetricNames),
      number("validation.patience", K::integer, &r.validation.patience, 0),
      number("validation.keep", K::integer, &r.validation.keep, 1),
      number("translate.beam", K::integer, &r.translate.beam, 1),
      number("translate.length_penalty", K::real, &r.translate.length_penalty, 0),
      number("translate.max_length_ratio", K::real, &r.translate.max_length_ratio, 0),
      number("translate.sampling_topk", K::integer, &r.translate.sampling_topk, 0),
      number("translate.sampling_topp", K::real, &r.translate.sampling_topp, 0),
      number("translate.sampling_temperature", K::real, &r.translate.sampling_temperature, 0),
      number("translate.seed", K::integer, &r.translate.seed, 0),
      number("translate.min_decoding_length", K::integer, &r.translate.min_decoding_length, 0),
      number("translate.max_decoding_length", K::integer, &r.translate.max_decoding_length, 0),
      number("translate.repetition_penalty", K::real, &r.translate.repetition_penalty, 0),
      number("translate.no_repeat_ngram_size", K::integer, &r.translate.no_repeat_ngram_size, 0),
      {"translate.word_penalty", K::real, &r.translate.word_penalty},
      number("export.average", K::integer, &r.export_model.average, 1),
  };
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool is_section(const std::vector<Field>& fields, const std::string& key) {
  for (const auto& f : fields) {
    if (f.key.size() > key.size() && f.key.compare(0, key.size(), key) == 0 &&
        f.key[key.size()] == '.')
      return true;
  }
  return false;
}

const Field* find_field(const std::vector<Field>& fields, const std::string& key) {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::string suggestion(const std::vector<Field>& fields, const std::string& key) {
  std::string best;
  size_t best_distance = std::string::npos;
  auto consider = [&](const std::string& candidate) {
    const size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  };
  for (const auto& f : fields) {  // every key and every section above it
    for (size_t dot = f.key.find('.'); dot != std::string::npos; dot = f.key.find('.', dot + 1)) {
      consider(f.key.substr(0, dot));
    }
    consider(f.key);
  }
  if (best_distance <= std::max<size_t>(2, key.size() / 4))
    return " (did you mean '" + best + "'?)";
  return "";
}

bool parse_bool(const std::string& v, bool& out) {
  if (v == "true" || v == "yes" || v == "on") return out = true, true;
  if (v == "false" || v == "no" || v == "off") return out = false, true;
  return false;
}

// Sets field f from a scalar's text; returns an error message, or "" when it fits.
std::string assign(const Field& f, const std::string& v) {
  switch (f.kind) {
    case Kind::text:
      *static_cast<std::string*>(f.target) = v;
      return "";
    case Kind::choice: {
      if (std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end()) {
        std::string list;
        for (const auto& c : f.choices) list += (list.empty() ? "" : ", ") + c;
        return "expects one of " + list + ", found '" + v + "'";
      }
      f.set_choice(v);
      return "";
    }
    case Kind::boolean:
      if (!parse_bool(v, *static_cast<bool*>(f.target)))
        return "expects true or false, found '" + v + "'";
      return "";
    case Kind::integer: {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') return "expects a whole number, found '" + v + "'";
      if (static_cast<double>(n) < f.min)
        return "must be at least " + std::to_string(static_cast<long long>(f.min)) + ", found " + v;
      *static_cast<int64_t*>(f.target) = n;
      return "";
    }
    case Kind::real: {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(x))
        return "expects a number, found '" + v + "'";
      if (x < f.min) return "must not be negative, found " + v;
      *static_cast<double*>(f.target) = x;
      return "";
    }
    case Kind::duration:
      try {
        *static_cast<double*>(f.target) = parse_duration(v);
      } catch (const Error& e) {
        return e.what();
      }
      return "";
  }
  return "";
}

// Sets `key` to the text `value`, as --set does; returns why it cannot ("unknown key (did you mean
// ...)", "expects a number, ..."), or "" when it fits.
std::string set_value(const std::vector<Field>& fields, const std::string& key,
                      const std::string& value) {
  const Field* f = find_field(fields, key);
  if (!f) return "unknown key" + suggestion(fields, key);
  if (!is_valid_utf8(value)) return "is not valid UTF-8";
  return assign(*f, value);
}

struct Parser {
  const std::string& path;
  std::vector<Field> fields;
  std::map<std::string, int> lines;  // key -> line it was set on

  Error error_at(const YAML::Mark& mark, const std::string& key, const std::string& what) const {
    return Error(path + ":" + std::to_string(mark.line + 1) + ": " + key + ": " + what);
  }

  void walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& item : map) {
      // YAML allows any node as a key ("? {a: 1}: 2"); a recipe's keys are names
      if (!item.first.IsScalar())
        throw error_at(item.first.Mark(), prefix + "?",
                       "a key must be a name, not a mapping or list");
      const std::string key = prefix + item.first.as<std::string>();
      const YAML::Node& value = item.second;
      const YAML::Mark mark = item.first.Mark();
      const Field* f = find_field(fields, key);
      if (!f && !is_section(fields, key))
        throw error_at(mark, key, "unknown key" + suggestion(fields, key));
      if (value.IsMap()) {
        if (f) throw error_at(mark, key, "expects a value, found a mapping");
        walk(value, key + ".");
        continue;
      }
      if (!f) throw error_at(mark, key, "is a section: expects a mapping of its keys");
      if (value.IsSequence()) throw error_at(mark, key, "expects a single value, found a list");
      const std::string text = value.IsNull() ? "" : value.Scalar();
      if (value.IsNull() && f->kind != Kind::text) throw error_at(mark, key, "has no value");
      if (!is_valid_utf8(text)) throw error_at(mark, key, "is not valid UTF-8");
      if (const std::string problem = assign(*f, text); !problem.empty())
        throw error_at(mark, key, problem);
      lines[key] = mark.line + 1;
    }
  }
};

// "file:line: key: " for messages about a key (without the line when it came from --set).
std::string where(const Recipe& r, const std::map<std::string, int>& lines,
                  const std::string& key) {
  auto it = lines.find(key);
  return r.path + (it == lines.end() ? "" : ":" + std::to_string(it->second)) + ": " + key + ": ";
}

// Keys that must agree with each other.
void check_consistency(const Recipe& r, const std::map<std::string, int>& lines) {
  const auto& pretrained = r.model.pretrained;
  if (pretrained.freeze && pretrained.src.empty() && pretrained.tgt.empty()) {
    throw Error(where(r, lines, "model.pretrained_embeddings.freeze") +
                "freezes nothing: no src or tgt word vectors are given");
  }
  if (r.export_model.average > r.validation.keep) {
    throw Error(where(r, lines, "export.average") + "averages the last " +
                std::to_string(r.export_model.average) +
                " checkpoints, but validation.keep keeps " + std::to_string(r.validation.keep));
  }
}

void check_data(const Recipe& r, const std::map<std::string, int>& lines) {
  auto where = [&](const std::string& key) { return rnmt::where(r, lines, key); };
  const std::vector<std::pair<std::string, const std::string*>> required = {
      {"data.train.src", &r.data.train.src},
      {"data.train.tgt", &r.data.train.tgt},
      {"data.valid.src", &r.data.valid.src},
      {"data.valid.tgt", &r.data.valid.tgt}};
  for (const auto& [key, value] : required) {
    if (value->empty()) throw Error(where(key) + "is required");
  }
  if (r.data.test.src.empty() != r.data.test.tgt.empty()) {
    throw Error(where(r.data.test.src.empty() ? "data.test.src" : "data.test.tgt") +
                "data.test needs both src and tgt");
  }
  if (r.training.batch_sentences == 0 && r.training.batch_tokens == 0) {
    throw Error(where("training.batch.sentences") + "set batch.sentences or batch.tokens");
  }

  if (!r.data.prepare.empty()) return;  // the prepare command makes what is missing
  for (const auto& [key, value] : required) {
    if (!std::filesystem::exists(*value)) throw Error(where(key) + "no such file '" + *value + "'");
  }
  for (const auto& [key, value] :
       {std::pair<std::string, const std::string*>{"data.test.src", &r.data.test.src},
        {"data.test.tgt", &r.data.test.tgt}}) {
    if (!value->empty() && !std::filesystem::exists(*value))
      throw Error(where(key) + "no such file '" + *value + "'");
  }
}

}  // namespace

double parse_duration(const std::string& text) {
  if (text.empty()) throw Error("expects a duration like 90s, 20m or 1h, found nothing");
  double total = 0;
  size_t i = 0;
  bool any_unit = false;
  while (i < text.size()) {
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text.substr(i), &used);
    } catch (const std::exception&) {
      throw Error("expects a duration like 90s, 20m or 1h, found '" + text + "'");
    }
    i += used;
    if (i == text.size() && !any_unit) return value;  // plain seconds
    const char unit = i < text.size() ? text[i] : '?';
    const double scale = unit == 's'   ? 1
                         : unit == 'm' ? 60
                         : unit == 'h' ? 3600
                         : unit == 'd' ? 86400
                                       : -1;
    if (scale < 0 || value < 0)
      throw Error("expects a duration like 90s, 20m or 1h, found '" + text + "'");
    total += value * scale;
    any_unit = true;
    ++i;
  }
  return total;
}

Recipe parse_recipe(const std::string& yaml_text, const std::string& path,
                    const std::vector<std::string>& overrides, bool check_files) {
  Recipe r;
  r.path = path;
  Parser parser{path, schema(r), {}};
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsNull()) {
    if (!root.IsMap())
      throw Error(path + ":1: a recipe is a mapping of keys, like 'workdir: runs/x'");
    try {
      parser.walk(root, "");
    } catch (const YAML::Exception& e) {  // whatever yaml-cpp may still throw is a recipe error
      throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  for (const auto& o : overrides) {
    const size_t eq = o.find('=');
    const std::string key = o.substr(0, eq);
    if (eq == std::string::npos) throw Error("--set " + o + ": expected KEY=VALUE");
    if (const std::string problem = set_value(parser.fields, key, o.substr(eq + 1));
        !problem.empty()) {
      throw Error("--set " + key + ": " + problem);
    }
    parser.lines.erase(key);
  }
  check_consistency(r, parser.lines);
  if (check_files) check_data(r, parser.lines);
  return r;
}

Recipe load_recipe(const std::string& path, const std::vector<std::string>& overrides,
                   bool check_files) {
  return parse_recipe(read_whole_file(path, "recipe"), path, overrides, check_files);
}

RecipeValueKind recipe_value_kind(const std::string& key) {
  Recipe scratch;
  const std::vector<Field> fields = schema(scratch);
  const Field* f = find_field(fields, key);
  if (!f) throw Error(key + ": unknown key" + suggestion(fields, key));
  switch (f->kind) {
    case Kind::integer:
      return RecipeValueKind::integer;
    case Kind::real:
      return RecipeValueKind::real;
    case Kind::boolean:
      return RecipeValueKind::boolean;
    case Kind::text:
      return RecipeValueKind::text;
    case Kind::choice:
      return RecipeValueKind::choice;
    case Kind::duration:
      return RecipeValueKind::duration;
  }
  return RecipeValueKind::text;
}

std::string recipe_value_problem(const std::string& key, const std::string& value) {
  Recipe scratch;  // the value is tried on a recipe of its own
  return set_value(schema(scratch), key, value);
}

std::string dump_recipe(const Recipe& recipe) {
  // Sections are contiguous in the schema, so the YAML is written in one pass: open every section
  // the key does not share with the previous one, then the key with its value.
  Recipe copy = recipe;
  std::string out;
  std::vector<std::string> previous;
  for (const auto& f : schema(copy)) {
    std::vector<std::string> parts;
    std::stringstream ss(f.key);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    size_t common = 0;
    while (common + 1 < parts.size() && common + 1 < previous.size() &&
           parts[common] == previous[common])
      ++common;
    for (size_t level = common; level + 1 < parts.size(); ++level) {
      out += std::string(2 * level, ' ') + parts[level] + ":\n";
    }
    std::string value;
    switch (f.kind) {
      case Kind::text:
      case Kind::choice: {
        // yaml-cpp quotes and escapes (newlines, control characters) so that the dump parses back
        YAML::Emitter quoted;
        quoted << YAML::DoubleQuoted
               << (f.kind == Kind::choice ? f.choice_name() : *static_cast<std::string*>(f.target));
        value = quoted.c_str();
        break;
      }
      case Kind::boolean:
        value = *static_cast<bool*>(f.target) ? "true" : "false";
        break;
      case Kind::integer:
        value = std::to_string(*static_cast<int64_t*>(f.target));
        break;
      case Kind::real:
      case Kind::duration: {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.17g", *static_cast<double*>(f.target));
        value = buffer;
        if (f.kind == Kind::duration) value += "s";
        break;
      }
    }
    out += std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + value + "\n";
    previous = parts;
  }
  return out;
}

std::string model_shape(const Recipe& r) {
  const std::string dumped = dump_recipe(r);
  const size_t begin = dumped.find("\nmodel:"), end = dumped.find("\ntraining:");
  std::istringstream lines(dumped.substr(begin, end - begin));
  std::string shape;
  // Dropout and where the initial embeddings came from do not change the network's shape.
  bool pretrained = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  pretrained_embeddings:", 0) == 0)
      pretrained = true;
    else if (line.rfind("    ", 0) != 0)
      pretrained = false;
    if (!pretrained && line.find("dropout:") == std::string::npos) shape += line + "\n";
  }
  return shape;
}

}  // namespace rnmt
