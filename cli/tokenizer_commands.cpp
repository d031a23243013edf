// rnmt learn-bpe | tokenize | detokenize: streaming, one output line per input line.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "tokenizer/tokenizer.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void add_text_options(po::options_description& desc, std::string& normalization,
                      std::string& invalid, TokenizerOptions& o) {
  desc.add_options()("normalization", po::value(&normalization)->default_value("nfc"),
                     "Unicode normalization: nfc | nfkc")(
      "invalid-utf8", po::value(&invalid)->default_value("replace"),
      "invalid UTF-8: replace (with U+FFFD, counted) | fail (error with the line number)")(
      "split-digits", po::bool_switch(&o.split_digits), "make every digit its own token")(
      "lowercase", po::bool_switch(&o.lowercase),
      "lowercase (detokenizing then gives lowercase text)");
}

}  // namespace

int learn_bpe_command(const std::vector<std::string>& args) {
  TokenizerModel model;
  std::vector<std::string> inputs;
  std::string output, normalization, invalid;
  int64_t merges = 0, min_frequency = 2, vocab_threshold = 1;
  po::options_description desc(
      "rnmt learn-bpe: learn BPE merges and a vocabulary from raw text, write a tokenizer model\n"
      "options");
  desc.add_options()("help,h", "show this help")("merges", po::value(&merges)->required(),
                                                 "number of merges to learn")(
      "input,i", po::value(&inputs)->required()->composing(),
      "raw-text corpus (repeat for a joint model over several files)")(
      "output,o", po::value(&output)->required(), "tokenizer model to write")(
      "min-frequency", po::value(&min_frequency)->default_value(2),
      "stop when no pair occurs this often")(
      "vocab-threshold", po::value(&vocab_threshold)->default_value(1),
      "keep pieces seen at least this often in the encoded corpus");
  add_text_options(desc, normalization, invalid, model.options);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "learn-bpe"); status >= 0) return status;
  model.options.normalization = parse_normalization(normalization);
  model.options.invalid_utf8 = parse_invalid_utf8(invalid);
  if (merges < 0) throw Error("--merges must not be negative");

  const auto start = std::chrono::steady_clock::now();
  const bool progress = stderr_is_terminal();
  TokenizerModel whole_tokens;  // no BPE: counts whole tokens
  whole_tokens.options = model.options;
  Tokenizer plain(std::move(whole_tokens));
  std::unordered_map<std::string, int64_t> words;
  int64_t lines = 0, tokens = 0, replaced = 0;
  for (const auto& path : inputs) {
    std::ifstream in = open_input_file(path);
    std::string line;
    int64_t line_number = 0;
    while (read_text_line(in, line)) {
      ++line_number;
      for (auto& token : plain.tokenize(line, line_number, &replaced)) {
        ++words[token];
        ++tokens;
      }
      ++lines;
      if (progress && lines % 100000 == 0) {
        std::cerr << "\rlearn-bpe: read " << lines << " lines" << std::flush;
      }
    }
  }
  train_bpe(model, words,
            {.merges = merges, .min_frequency = min_frequency, .vocab_threshold = vocab_threshold},
            [&](int64_t done) {
              if (progress) std::cerr << "\rlearn-bpe: " << done << " merges" << std::flush;
            });
  save_tokenizer(model, output);
  if (progress) std::cerr << "\r";
  std::cerr << "learn-bpe: " << lines << " lines, " << tokens << " tokens (" << words.size()
            << " distinct) -> " << model.merges.size() << " merges, vocabulary "
            << model.vocabulary.size() << ", " << replaced << " invalid UTF-8 sequences replaced, "
            << seconds_since(start) << " s; wrote " << output << "\n";
  return 0;
}

int tokenize_command(const std::vector<std::string>& args) {
  TokenizerModel model;
  std::string bpe_path, normalization, invalid;
  float dropout = 0;
  uint64_t seed = 1;
  po::options_description desc(
      "rnmt tokenize: raw text on stdin -> space-separated pieces on stdout, line by line\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "bpe", po::value(&bpe_path), "tokenizer model from learn-bpe (its options then apply)")(
      "dropout", po::value(&dropout)->default_value(0.0f),
      "BPE-dropout probability (training data)")("seed", po::value(&seed)->default_value(1),
                                                 "seed of the BPE-dropout");
  add_text_options(desc, normalization, invalid, model.options);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "tokenize"); status >= 0) return status;
  if (!bpe_path.empty()) {
    model = load_tokenizer(bpe_path);
  } else {
    model.options.normalization = parse_normalization(normalization);
    model.options.invalid_utf8 = parse_invalid_utf8(invalid);
  }
  Tokenizer tokenizer(std::move(model));
  Rng rng(seed);
  const auto start = std::chrono::steady_clock::now();
  const bool progress = stderr_is_terminal();
  std::ios::sync_with_stdio(false);
  std::string line, out;
  int64_t lines = 0, pieces = 0, replaced = 0;
  while (read_text_line(std::cin, line)) {
    ++lines;
    const auto p = tokenizer.tokenize(line, lines, &replaced, dropout, &rng);
    pieces += static_cast<int64_t>(p.size());
    std::cout << join_tokens(p) << '\n';
    if (progress && lines % 100000 == 0) {
      std::cerr << "\rtokenize: " << lines << " lines, "
                << static_cast<int64_t>(lines / seconds_since(start)) << " lines/s" << std::flush;
    }
  }
  std::cout.flush();
  if (progress || replaced > 0) {
    std::cerr << (progress ? "\r" : "") << "tokenize: " << lines << " lines, " << pieces
              << " pieces, " << replaced << " invalid UTF-8 sequences replaced by U+FFFD, "
              << seconds_since(start) << " s\n";
  }
  return 0;
}

int detokenize_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "rnmt detokenize: pieces on stdin -> raw text on stdout, line by line (needs no model)\n"
      "options");
  desc.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "detokenize"); status >= 0) return status;
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) std::cout << detokenize(line) << '\n';
  return 0;
}

}  // namespace rnmt::cli
