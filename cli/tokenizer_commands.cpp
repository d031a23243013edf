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
#include "rnmt/tokenizer.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void add_text_options(po::options_description& desc, TextOptions& o) {
  desc.add_options()("normalization", po::value(&o.normalization)->default_value("nfc"),
                     "Unicode normalization: nfc | nfkc")(
      "invalid-utf8", po::value(&o.invalid_utf8)->default_value("replace"),
      "invalid UTF-8: replace (with U+FFFD, counted) | fail (error with the line number)")(
      "split-digits", po::bool_switch(&o.split_digits), "make every digit its own token")(
      "lowercase", po::bool_switch(&o.lowercase),
      "lowercase (detokenizing then gives lowercase text)");
}

}  // namespace

int learn_bpe_command(const std::vector<std::string>& args) {
  TextOptions text;
  BpeLearning learning;
  std::vector<std::string> inputs;
  std::string output;
  po::options_description desc(
      "rnmt learn-bpe: learn BPE merges and a vocabulary from raw text, write a tokenizer model\n"
      "options");
  desc.add_options()("help,h", "show this help")("merges", po::value(&learning.merges)->required(),
                                                 "number of merges to learn")(
      "input,i", po::value(&inputs)->required()->composing(),
      "raw-text corpus (repeat for a joint model over several files)")(
      "output,o", po::value(&output)->required(), "tokenizer model to write")(
      "min-frequency", po::value(&learning.min_frequency)->default_value(2),
      "stop when no pair occurs this often")(
      "vocab-threshold", po::value(&learning.vocab_threshold)->default_value(1),
      "keep pieces seen at least this often in the encoded corpus");
  add_text_options(desc, text);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "learn-bpe"); status >= 0) return status;

  const auto start = std::chrono::steady_clock::now();
  const bool progress = stderr_is_terminal();
  BpeLearningStats stats;
  const Tokenizer tokenizer =
      Tokenizer::learn_bpe(inputs, text, learning, &stats, [&](const char* phase, int64_t n) {
        if (!progress) return;
        if (std::string(phase) == "read")
          std::cerr << "\rlearn-bpe: read " << n << " lines" << std::flush;
        else
          std::cerr << "\rlearn-bpe: " << n << " merges" << std::flush;
      });
  tokenizer.save(output);
  if (progress) std::cerr << "\r";
  std::cerr << "learn-bpe: " << stats.lines << " lines, " << stats.tokens << " tokens ("
            << stats.distinct_tokens << " distinct) -> " << tokenizer.merges()
            << " merges, vocabulary " << tokenizer.vocabulary().size() << ", " << stats.replaced
            << " invalid UTF-8 sequences replaced, " << seconds_since(start) << " s; wrote "
            << output << "\n";
  return 0;
}

int tokenize_command(const std::vector<std::string>& args) {
  TextOptions text;
  std::string bpe_path;
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
  add_text_options(desc, text);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "tokenize"); status >= 0) return status;
  Tokenizer tokenizer = bpe_path.empty() ? Tokenizer(text) : Tokenizer(bpe_path);
  tokenizer.set_dropout(dropout, seed);
  const auto start = std::chrono::steady_clock::now();
  const bool progress = stderr_is_terminal();
  std::ios::sync_with_stdio(false);
  std::string line;
  int64_t lines = 0, pieces = 0, replaced = 0;
  while (read_text_line(std::cin, line)) {
    ++lines;
    const auto p = tokenizer.tokenize(line, lines, &replaced);
    pieces += static_cast<int64_t>(p.size());
    for (size_t i = 0; i < p.size(); ++i) std::cout << (i ? " " : "") << p[i];
    std::cout << '\n';
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
  while (std::getline(std::cin, line)) std::cout << Tokenizer::detokenize_line(line) << '\n';
  return 0;
}

}  // namespace rnmt::cli
