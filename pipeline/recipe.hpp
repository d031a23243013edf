#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rnmt {

// A training recipe: everything `rnmt run` does, parsed once into typed fields. Defaults are those
// documented in the README's recipe reference.
struct Recipe {
  std::string path;  // the file it came from (for messages)
  std::string workdir = "runs/default";

  struct Pair {
    std::string src, tgt;
  };
  struct Data {
    Pair train, valid, test;  // test is optional
    int64_t max_length = 100;
    std::string prepare;  // a shell command that makes missing data files
  } data;

  struct Tokenizer {
    std::string normalization = "nfc";
    bool joint = false;
    int64_t merges = 8000;
    double dropout = 0.0;
  } tokenizer;

  struct Model {
    int64_t embedding = 256;
    int64_t encoder_layers = 1, encoder_hidden = 512;
    std::string decoder_cell = "lstm";
    int64_t decoder_layers = 1, decoder_hidden = 512;
    bool input_feeding = false;
    std::string attention = "general";
    double dropout = 0.2;
    bool tied_embeddings = false;
  } model;

  struct Training {
    std::string optimizer = "adam";
    double lr = 0.001;
    std::string schedule = "constant";
    int64_t warmup_steps = 0;
    int64_t batch_sentences = 64;
    int64_t batch_tokens = 0;  // when set, batches are by target tokens instead of sentences
    double clip_norm = 5.0;
    double label_smoothing = 0.1;
    int64_t seed = 1;
    int64_t threads = 2;
    int64_t max_steps = 0, max_epochs = 0;  // 0: no limit
    double max_time_seconds = 0;            // written as 90s, 20m, 1h (or seconds)
  } training;

  struct Validation {
    int64_t every = 500;
    std::string metric = "bleu";
    int64_t patience = 5;
    int64_t keep = 3;
  } validation;

  struct Translate {
    int64_t beam = 5;
    double length_penalty = 0.6;
    double max_length_ratio = 2.0;
  } translate;
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

// "90s", "20m", "1h", "1h30m" or a plain number of seconds.
double parse_duration(const std::string& text);

}  // namespace rnmt
