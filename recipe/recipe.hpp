#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "core/training_precision.hpp"
#include "embeddings/word_vectors.hpp"
#include "model/model_config.hpp"
#include "rnmt/translation_options.hpp"
#include "shortlist/shortlist.hpp"
#include "tokenizer/normalizer.hpp"

namespace rnmt {

enum class Optimizer { adam };
inline constexpr EnumName<Optimizer> kOptimizerNames[] = {{Optimizer::adam, "adam"}};

// The learning rate: constant (after any warm-up), inverse square root of the step after a linear
// warm-up, or halved whenever a validation brings no improvement.
enum class LrSchedule { constant, inverse_sqrt, plateau };
inline constexpr EnumName<LrSchedule> kLrScheduleNames[] = {
    {LrSchedule::constant, "constant"},
    {LrSchedule::inverse_sqrt, "inverse_sqrt"},
    {LrSchedule::plateau, "plateau"}};

// What validation ranks checkpoints by: greedy BLEU of the validation set, or its loss.
enum class ValidationMetric { bleu, loss };
inline constexpr EnumName<ValidationMetric> kValidationMetricNames[] = {
    {ValidationMetric::bleu, "bleu"}, {ValidationMetric::loss, "loss"}};

// A training recipe: everything `rnmt run` does, parsed once into typed fields (names become
// enums here, and back into names only when the recipe is written out). Defaults are those
// documented in docs/recipe-reference.md (which recipe_reference() prints).
struct Recipe {
  std::string path;  // the file it came from (for messages)
  std::string workdir = "runs/default";

  struct Pair {
    std::string src, tgt;
  };
  struct Data {
    Pair train, valid, test;  // test is optional
    int64_t max_length = 100;
    int64_t shard_pairs = 1000000;  // training pairs per token-id shard (OpenNMT-py's shard_size)
    std::string prepare;            // a shell command that makes missing data files
  } data;

  struct Tokenizer {
    Normalization normalization = Normalization::nfc;
    bool joint = false;
    int64_t merges = 8000;
    double dropout = 0.0;
  } tokenizer;

  // The network (model/model_config.hpp; the vocabulary sizes come from prepare, label smoothing
  // from the training section) and where its first embeddings come from.
  struct Model : ModelConfig {
    Model() { dropout = 0.2; }  // a recipe's default; a bare ModelConfig has none
    // Word vectors (word2vec or GloVe files) that initialise the embedding tables' rows before
    // training (embeddings/pretrained_embeddings.hpp); with freeze, those tables stay as loaded.
    struct PretrainedEmbeddings {
      std::string src, tgt;  // "": none
      WordVectorFormat format = WordVectorFormat::detect;
      bool freeze = false;
    } pretrained;
  } model;

  struct Training {
    Optimizer optimizer = Optimizer::adam;
    double lr = 0.001;
    LrSchedule schedule = LrSchedule::constant;
    int64_t warmup_steps = 0;
    int64_t batch_sentences = 64;
    int64_t batch_tokens = 0;  // when set, batches are by target tokens instead of sentences
    double clip_norm = 5.0;
    double label_smoothing = 0.1;
    int64_t seed = 1;
    int64_t threads = 2;
    int64_t shuffle_window = 1;  // shards whose pairs are shuffled and batched together
    TrainingPrecision precision = TrainingPrecision::float32;
    bool follow_load = true;                // fewer threads while other processes want the CPUs
    int64_t max_steps = 0, max_epochs = 0;  // 0: no limit
    double max_time_seconds = 0;            // written as 90s, 20m, 1h (or seconds)
    // Every this many steps (0: never), gradients through time and gate saturation on a fixed
    // batch go to WORKDIR/train/inspect.jsonl (inspect/training_inspection.hpp).
    int64_t inspect_every = 0;
  } training;

  struct Validation {
    int64_t every = 500;
    ValidationMetric metric = ValidationMetric::bleu;
    int64_t patience = 5;
    int64_t keep = 3;
  } validation;

  // The model's default search settings: the fields of TranslationOptions' table a recipe sets
  // (translate.beam_size, ...; rnmt/translation_options.hpp).
  TranslationOptions translate;

  struct ExportModel {
    // 1: the best validation's weights; N > 1: the mean of the last N step checkpoints'
    int64_t average = 1;
    // The lexical shortlist stored in the model file (translate.use_shortlist turns it on).
    ShortlistLearning shortlist;
  } export_model;
};

// Reads and validates a recipe, then applies "key.path=value" overrides. Every problem is an Error
// naming the file, line and key (and the closest valid key for a misspelt one). Data files must
// exist unless data.prepare is set. Relative paths are relative to the working directory, as with
// Marian and OpenNMT.
// check_files = false skips the data-file checks (for --dump-config before the data exists).
Recipe load_recipe(const std::string& path, const std::vector<std::string>& overrides = {},
                   bool check_files = true);
Recipe parse_recipe(const std::string& yaml_text, const std::string& path,
                    const std::vector<std::string>& overrides = {}, bool check_files = true);

// The fully resolved recipe as YAML (what --dump-config prints); parses back to the same recipe.
std::string dump_recipe(const Recipe& recipe);

// Only the keys of the named top-level sections ("model", "translate", ...), as dump_recipe writes
// them: what a stage's fingerprint reads.
std::string dump_recipe_sections(const Recipe& recipe, const std::vector<std::string>& sections);

// The recipe's model section as dump_recipe writes it, less dropout (which may change between runs
// of one network): what a set of weights means. Checkpoints carry it; averaging compares it.
std::string model_shape(const Recipe& recipe);
// Whether `stored`, a model_shape text that any version of rnmt wrote (one from before a key
// existed lacks it), describes the network `recipe` does: the text is read as a model section, its
// absent keys at their defaults. An Error when it is not a model section.
bool same_model_shape(const std::string& stored, const Recipe& recipe);

// What a recipe key holds, for tools that write values for keys (rnmt sweep's search spaces).
enum class RecipeValueKind { integer, real, boolean, text, choice, duration };
// The kind of `key`'s value; an Error "unknown key" (naming the closest key) when there is none.
RecipeValueKind recipe_value_kind(const std::string& key);
// Why `value` cannot be `key`'s value ("expects a number, found 'x'"), or "" when it can: the check
// a recipe line or a --set gets.
std::string recipe_value_problem(const std::string& key, const std::string& value);

// Every key a recipe may hold, its default and meaning, as a Markdown table: the recipe reference
// (docs/recipe-reference.md is this text; a test keeps it so).
std::string recipe_reference();

// "90s", "20m", "1h", "1h30m" or a plain number of seconds.
double parse_duration(const std::string& text);

}  // namespace rnmt
