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
#include <type_traits>
#include <variant>

#include "core/error.hpp"
#include "core/files.hpp"
#include "tokenizer/normalizer.hpp"

namespace rnmt {
namespace {

// A key whose value is one of an enum's names: how to set the enum from a name and read it back.
struct Choice {
  std::vector<std::string> names;
  std::function<void(const std::string&)> set;
  std::function<std::string()> get;
};
// A duration in seconds, written as 90s, 20m, 1h.
struct Seconds {
  double* value;
};
// Where a key's value goes, by its type.
using Target = std::variant<std::string*, int64_t*, uint64_t*, double*, bool*, Seconds, Choice>;

struct Field {
  std::string key;
  Target target;
  std::string help;        // the recipe reference's line (docs/recipe-reference.md)
  double min = -1e300;     // numbers: the smallest value allowed
  std::string alias = "";  // an older name of the key, still read
};

// A key whose value is one of an enum's names.
template <class Enum, size_t N>
Field choice(std::string key, Enum* target, const EnumName<Enum> (&names)[N], std::string help) {
  Choice c;
  for (const auto& entry : names) c.names.push_back(entry.name);
  c.set = [target, &names](const std::string& v) { *target = parse_enum(names, v, "name"); };
  c.get = [target, &names] { return std::string(enum_name(names, *target)); };
  return {std::move(key), std::move(c), std::move(help)};
}

// The translate section: the fields of TranslationOptions' table that a recipe sets.
void add_translate_fields(std::vector<Field>& fields, TranslationOptions& o) {
  for (const TranslationOptionField& f : translation_option_fields()) {
    if (!(f.use & kOptionRecipe)) continue;
    const std::string alias = *f.alias ? "translate." + std::string(f.alias) : "";
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(o.*member)>;
          if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t> ||
                        std::is_same_v<T, double> || std::is_same_v<T, bool> ||
                        std::is_same_v<T, std::string>) {
            fields.push_back(
                {"translate." + std::string(f.name), &(o.*member), f.help, f.min, alias});
          } else {
            throw Error(std::string("translate.") + f.name + ": a recipe cannot hold this type");
          }
        },
        f.member);
  }
}

// The schema: every key a recipe may hold, bound to its field in `r`.
std::vector<Field> schema(Recipe& r) {
  std::vector<Field> fields = {
      {"workdir", &r.workdir,
       "everything the run writes (the model: WORKDIR/model.rnmt); one run at a time: a second "
       "run or sweep on a workdir in use is refused, naming the first one's pid and command"},
      {"data.train.src", &r.data.train.src, "required: raw source text, one sentence per line"},
      {"data.train.tgt", &r.data.train.tgt, "required: its translations, line by line"},
      {"data.valid.src", &r.data.valid.src, "required: validation source text"},
      {"data.valid.tgt", &r.data.valid.tgt, "required: its translations"},
      {"data.test.src", &r.data.test.src, "test source text, translated after training (optional)"},
      {"data.test.tgt", &r.data.test.tgt, "its references (BLEU, exact match)"},
      {"data.max_length", &r.data.max_length,
       "longer pairs (in pieces) are dropped from training; longer inputs are cut when translating",
       1},
      {"data.shard_pairs", &r.data.shard_pairs,
       "training pairs per token-id shard in WORKDIR/prepare/shards; pair i goes to shard i mod "
       "the shard count, so that every shard samples the whole corpus (docs/training.md, \"Large "
       "corpora\")",
       1},
      {"data.prepare", &r.data.prepare,
       "a shell command run when a data file is missing; $RNMT is the running rnmt"},
      choice("tokenizer.normalization", &r.tokenizer.normalization, kNormalizationNames,
             "Unicode normalization"),
      {"tokenizer.joint", &r.tokenizer.joint, "one BPE model and vocabulary for both sides"},
      {"tokenizer.bpe.merges", &r.tokenizer.merges, "BPE merges to learn", 0},
      {"tokenizer.bpe.dropout", &r.tokenizer.dropout,
       "BPE-dropout: the training data is segmented afresh each epoch (seeded by the epoch); the "
       "vocabulary then also holds every intermediate merge and character",
       0},
      {"model.embedding", &r.model.embedding, "embedding size (source and target)", 1},
      {"model.encoder.layers", &r.model.encoder_layers, "bidirectional layers", 1},
      {"model.encoder.hidden", &r.model.encoder_hidden, "the encoder's hidden size per direction",
       1},
      choice("model.encoder.cell", &r.model.encoder_cell, kCellNames, "the encoder's cell"),
      {"model.encoder.source_eos", &r.model.source_eos,
       "every source sentence ends with </s>, as in Marian's models (the attention then has a "
       "column for it)"},
      choice(
          "model.decoder.cell", &r.model.decoder_cell, kDecoderCellNames,
          "the decoder's cell: lstm and gru layers under Luong attention, or clstm and cgru, the "
          "conditional cells of Marian's s2s models (a cell, additive attention on its state, a "
          "second cell reading the context, a deep output layer; one layer, no input feeding)"),
      {"model.decoder.layers", &r.model.decoder_layers, "decoder layers", 1},
      {"model.decoder.hidden", &r.model.decoder_hidden, "the decoder's hidden size", 1},
      {"model.decoder.input_feeding", &r.model.input_feeding,
       "Luong input feeding: the previous attentional vector joins the next input"},
      choice("model.decoder.bridge", &r.model.bridge, kBridgeTypeNames,
             "the decoder's initial state: tanh (a trained layer on the encoder's final states), "
             "mean (a trained layer on the mean of the encoder's outputs, as in Marian's s2s "
             "models) or copy (each layer starts from the same encoder layer's final states, as "
             "in OpenNMT-py; converted models only: rnmt does not train it)"),
      choice("model.attention", &r.model.attention, kAttentionTypeNames,
             "the attention: dot and general are Luong's, additive is Bahdanau's"),
      choice("model.attention_output", &r.model.attention_output, kAttentionOutputNames,
             "the attentional vector: tanh(W_c [context; query]) (Luong's), or linear: "
             "W_c [context; query] + b (OpenNMT-py's mlp attention)"),
      {"model.dropout", &r.model.dropout,
       "on the embeddings, between layers and before the output layer", 0},
      {"model.tied_embeddings", &r.model.tied_embeddings,
       "output weights = target embeddings (needs decoder.hidden = embedding)"},
      {"model.pretrained_embeddings.src", &r.model.pretrained.src,
       "word vectors (word2vec text or binary, GloVe) that start the source embeddings (docs/"
       "training.md, \"Pretrained embeddings\")"},
      {"model.pretrained_embeddings.tgt", &r.model.pretrained.tgt,
       "the same for the target embeddings"},
      choice("model.pretrained_embeddings.format", &r.model.pretrained.format,
             kWordVectorFormatNames, "the word vectors' format (auto: told by their first lines)"),
      {"model.pretrained_embeddings.freeze", &r.model.pretrained.freeze,
       "keep the loaded tables as they are"},
      choice("training.optimizer", &r.training.optimizer, kOptimizerNames, "(the only one)"),
      {"training.lr", &r.training.lr, "learning rate", 0},
      choice(
          "training.schedule", &r.training.schedule, kLrScheduleNames,
          "the learning rate: constant; inverse_sqrt after warmup_steps; plateau: halved at every "
          "validation without improvement"),
      {"training.warmup_steps", &r.training.warmup_steps, "linear warm-up", 0},
      {"training.batch.sentences", &r.training.batch_sentences, "pairs per batch", 0},
      {"training.batch.tokens", &r.training.batch_tokens,
       "when above 0: as many pairs as fit in this many padded target positions instead", 0},
      {"training.clip_norm", &r.training.clip_norm, "global gradient norm", 0},
      {"training.label_smoothing", &r.training.label_smoothing, "of the cross-entropy", 0},
      {"training.seed", &r.training.seed, "weights, dropout and data order", 0},
      {"training.threads", &r.training.threads,
       "OpenMP threads (pinned to CPUs when as many as the process may use); any count trains the "
       "same model, bit for bit",
       1},
      {"training.shuffle_window", &r.training.shuffle_window,
       "shards whose pairs are shuffled and cut into batches together; an epoch takes its shards "
       "in a seeded order, this many at a time (memory follows the window, not the corpus)",
       1},
      choice("training.precision", &r.training.precision, kTrainingPrecisionNames,
             "the arithmetic of training: float32; bfloat16 (bf16 products and recurrent layers "
             "with float32 weights, gradients, optimizer state, softmax and loss; needs AVX-512 "
             "BF16 or AMX); auto: bfloat16 where the CPU has it, else float32 (docs/training.md, "
             "\"Training in bfloat16\")"),
      {"training.follow_load", &r.training.follow_load,
       "one thread fewer while other processes keep training's threads waiting for a CPU, back "
       "when a CPU is free again (docs/training.md, \"On a busy machine\")"},
      {"training.max_steps", &r.training.max_steps, "0: no limit", 0},
      {"training.max_epochs", &r.training.max_epochs, "0: no limit", 0},
      {"training.max_time", Seconds{&r.training.max_time_seconds},
       "90s, 20m, 1h30m or seconds (0: no limit); a safety cap: a slower machine stops at "
       "another step"},
      {"training.inspect_every", &r.training.inspect_every,
       "every N steps (0: never): gradients through time and gate saturation on a fixed batch, "
       "to WORKDIR/train/inspect.jsonl",
       0},
      {"validation.every", &r.validation.every, "steps between validations (and checkpoints)", 1},
      choice("validation.metric", &r.validation.metric, kValidationMetricNames,
             "what ranks checkpoints: BLEU of the validation set translated greedily, or its loss"),
      {"validation.patience", &r.validation.patience,
       "stop after this many validations without improvement (0: never)", 0},
      {"validation.keep", &r.validation.keep,
       "step checkpoints kept (WORKDIR/train/step-N.ckpt), beside the best weights", 1},
  };
  add_translate_fields(fields, r.translate);
  fields.push_back({"export.average", &r.export_model.average,
                    "1: export the best validation's weights; N > 1: the mean of the last N step "
                    "checkpoints (at most validation.keep)",
                    1});
  fields.push_back({"export.shortlist.translations", &r.export_model.shortlist.translations,
                    "the lexical shortlist stored in the model: target pieces kept per source "
                    "piece, the most probable under IBM Model 1 learned from the training data (0: "
                    "no shortlist; docs/translating.md)",
                    0});
  fields.push_back({"export.shortlist.frequent", &r.export_model.shortlist.frequent,
                    "the most frequent target pieces every batch may output", 0});
  fields.push_back({"export.shortlist.iterations", &r.export_model.shortlist.iterations,
                    "rounds of IBM Model 1's expectation-maximisation", 1});
  fields.push_back({"export.shortlist.min_probability", &r.export_model.shortlist.min_probability,
                    "translations less probable than this (p(target piece | source piece)) are "
                    "left out",
                    0});
  return fields;
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
    if (f.key == key || (!f.alias.empty() && f.alias == key)) return &f;
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
  auto whole_number = [&](long long& n) -> std::string {
    char* end = nullptr;
    n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') return "expects a whole number, found '" + v + "'";
    if (static_cast<double>(n) < f.min)
      return "must be at least " + std::to_string(static_cast<long long>(f.min)) + ", found " + v;
    return "";
  };
  return std::visit(
      [&](auto target) -> std::string {
        using T = decltype(target);
        if constexpr (std::is_same_v<T, std::string*>) {
          *target = v;
        } else if constexpr (std::is_same_v<T, Choice>) {
          if (std::find(target.names.begin(), target.names.end(), v) == target.names.end()) {
            std::string list;
            for (const auto& c : target.names) list += (list.empty() ? "" : ", ") + c;
            return "expects one of " + list + ", found '" + v + "'";
          }
          target.set(v);
        } else if constexpr (std::is_same_v<T, bool*>) {
          if (!parse_bool(v, *target)) return "expects true or false, found '" + v + "'";
        } else if constexpr (std::is_same_v<T, int64_t*> || std::is_same_v<T, uint64_t*>) {
          long long n = 0;
          if (std::string problem = whole_number(n); !problem.empty()) return problem;
          *target = static_cast<std::remove_pointer_t<T>>(n);
        } else if constexpr (std::is_same_v<T, double*>) {
          char* end = nullptr;
          const double x = std::strtod(v.c_str(), &end);
          if (v.empty() || *end != '\0' || !std::isfinite(x))
            return "expects a number, found '" + v + "'";
          if (x < f.min) return "must not be negative, found " + v;
          *target = x;
        } else {  // Seconds
          try {
            *target.value = parse_duration(v);
          } catch (const Error& e) {
            return e.what();
          }
        }
        return "";
      },
      f.target);
}

// The value as the dumped YAML writes it (full precision; text quoted so that it parses back).
std::string value_text(const Field& f) {
  return std::visit(
      [&](auto target) -> std::string {
        using T = decltype(target);
        auto quoted = [](const std::string& text) {
          YAML::Emitter out;  // quotes and escapes newlines and control characters
          out << YAML::DoubleQuoted << text;
          return std::string(out.c_str());
        };
        auto real = [](double x) {
          char buffer[32];
          std::snprintf(buffer, sizeof buffer, "%.17g", x);
          return std::string(buffer);
        };
        if constexpr (std::is_same_v<T, std::string*>)
          return quoted(*target);
        else if constexpr (std::is_same_v<T, Choice>)
          return quoted(target.get());
        else if constexpr (std::is_same_v<T, bool*>)
          return *target ? "true" : "false";
        else if constexpr (std::is_same_v<T, double*>)
          return real(*target);
        else if constexpr (std::is_same_v<T, Seconds>)
          return real(*target.value) + "s";
        else
          return std::to_string(*target);
      },
      f.target);
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
      if (value.IsNull() && !std::holds_alternative<std::string*>(f->target))
        throw error_at(mark, key, "has no value");
      if (lines.count(f->key))
        throw error_at(mark, key,
                       "is set twice" + (f->alias.empty() ? std::string()
                                                          : " (as " + f->key + " and " + f->alias +
                                                                ", its older name)"));
      if (!is_valid_utf8(text)) throw error_at(mark, key, "is not valid UTF-8");
      if (const std::string problem = assign(*f, text); !problem.empty())
        throw error_at(mark, key, problem);
      lines[f->key] = mark.line + 1;
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
    if (const Field* f = find_field(parser.fields, key)) parser.lines.erase(f->key);
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
  return std::visit(
      [](auto target) {
        using T = decltype(target);
        if constexpr (std::is_same_v<T, int64_t*> || std::is_same_v<T, uint64_t*>)
          return RecipeValueKind::integer;
        else if constexpr (std::is_same_v<T, double*>)
          return RecipeValueKind::real;
        else if constexpr (std::is_same_v<T, bool*>)
          return RecipeValueKind::boolean;
        else if constexpr (std::is_same_v<T, Choice>)
          return RecipeValueKind::choice;
        else if constexpr (std::is_same_v<T, Seconds>)
          return RecipeValueKind::duration;
        else
          return RecipeValueKind::text;
      },
      f->target);
}

std::string recipe_value_problem(const std::string& key, const std::string& value) {
  Recipe scratch;  // the value is tried on a recipe of its own
  return set_value(schema(scratch), key, value);
}

namespace {

// The keys `keep` accepts, as YAML. Sections are contiguous in the schema, so the YAML is written
// in one pass: open every section the key does not share with the previous one, then the key with
// its value.
std::string dump_keys(const Recipe& recipe, const std::function<bool(const std::string&)>& keep) {
  Recipe copy = recipe;
  std::string out;
  std::vector<std::string> previous;
  for (const auto& f : schema(copy)) {
    if (!keep(f.key)) continue;
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
    out += std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + value_text(f) + "\n";
    previous = parts;
  }
  return out;
}

bool in_section(const std::string& key, const std::string& section) {
  return key.size() > section.size() && key.compare(0, section.size(), section) == 0 &&
         key[section.size()] == '.';
}

// Keys added after workdirs and checkpoints existed: at their default they are left out of stage
// fingerprints and model shapes, which then stay what older versions wrote (an existing run stays
// up to date and resumes).
bool added_later_at_default(const Recipe& recipe, const std::string& key) {
  static const Recipe defaults;
  return (key == "model.encoder.source_eos" &&
          recipe.model.source_eos == defaults.model.source_eos) ||
         (key == "training.precision" &&
          recipe.training.precision == defaults.training.precision) ||
         (key == "training.shuffle_window" &&
          recipe.training.shuffle_window == defaults.training.shuffle_window);
}

}  // namespace

std::string dump_recipe(const Recipe& recipe) {
  return dump_keys(recipe, [](const std::string&) { return true; });
}

std::string dump_recipe_sections(const Recipe& recipe, const std::vector<std::string>& sections) {
  return dump_keys(recipe, [&](const std::string& key) {
    return !added_later_at_default(recipe, key) &&
           std::any_of(sections.begin(), sections.end(),
                       [&](const std::string& s) { return in_section(key, s); });
  });
}

std::string recipe_reference() {
  Recipe defaults;
  std::string out =
      "# Recipe reference\n\n"
      "Every key a recipe may hold, its default and its meaning, as `rnmt run --recipe-reference`\n"
      "prints them from the recipe's schema (`recipe/recipe.cpp`); a test keeps this file equal "
      "to\n"
      "it. Keys are written nested (`training: {lr: 0.001}`) or dotted on the command line\n"
      "(`--set training.lr=0.001`). How a run uses them: [training.md](training.md).\n\n"
      "| key | default | meaning |\n"
      "|---|---|---|\n";
  for (const Field& f : schema(defaults)) {
    std::string value = value_text(f);
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    if (const auto* real = std::get_if<double*>(&f.target)) {  // as a person writes it
      char text[32];
      std::snprintf(text, sizeof text, "%.15g", **real);
      value = text;
    }
    std::string meaning = f.help;
    if (const auto* c = std::get_if<Choice>(&f.target)) {
      std::string names;
      for (const auto& n : c->names) names += (names.empty() ? "`" : ", `") + n + "`";
      meaning += " (one of " + names + ")";
    }
    if (!f.alias.empty()) meaning += " (also read as `" + f.alias + "`)";
    std::string escaped;  // Markdown: a | ends a cell, a < may open an HTML tag
    for (char ch : meaning) escaped += ch == '|' ? "\\|" : ch == '<' ? "&lt;" : std::string(1, ch);
    out += "| `" + f.key + "` | " + (value.empty() ? "" : "`" + value + "`") + " | " + escaped +
           " |\n";
  }
  return out;
}

std::string model_shape(const Recipe& r) {
  // Dropout and where the initial embeddings came from do not change the network's shape. The
  // leading newline keeps the text checkpoints have always held.
  return "\n" + dump_keys(r, [&](const std::string& key) {
           return in_section(key, "model") && key != "model.dropout" &&
                  !in_section(key, "model.pretrained_embeddings") &&
                  !added_later_at_default(r, key);
         });
}

bool same_model_shape(const std::string& stored, const Recipe& recipe) {
  if (stored == model_shape(recipe)) return true;
  const Recipe read = parse_recipe("workdir: w\n" + stored, "a checkpoint's model section", {},
                                   /*check_files=*/false);
  return model_shape(read) == model_shape(recipe);
}

}  // namespace rnmt
