// rnmt translate: raw text in, raw text out, through a model file, in length-sorted batches.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/translation_flags.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "rnmt/translation_json.hpp"
#include "rnmt/translator.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

// Lines read and translated at a time: enough to sort into well-filled batches, bounded memory.
constexpr size_t kChunkLines = 20000;
constexpr size_t kChunkBytes = size_t{8} << 20;  // memory stays bounded however long the lines
constexpr int64_t kTruncationWarnings = 5;       // then only the summary counts them

struct Totals {
  int64_t lines = 0, empty = 0, truncated = 0, source_tokens = 0, output_tokens = 0;
};

std::string format_alignment(const TranslationHypothesis& h) {
  std::string s;
  for (const auto& a : h.alignment) {
    if (!s.empty()) s += ' ';
    s += std::to_string(a.source) + "-" + std::to_string(a.target);
  }
  return s;
}

// One output line: [line index |||] text [||| score] [||| alignment]; the index and the score
// always appear in n-best lists (Moses' n-best format).
void write_hypothesis(std::ostream& out, int64_t index, const TranslationHypothesis& h, bool n_best,
                      bool scores, bool alignments) {
  if (n_best) out << index << " ||| ";
  out << h.text;
  if (n_best || scores) out << " ||| " << std::fixed << std::setprecision(4) << h.score;
  if (alignments) out << " ||| " << format_alignment(h);
  out << '\n';
}

// What rnmt translate reads and writes, besides the translation options.
struct TranslateArgs {
  std::vector<std::string> model_paths;
  std::vector<double> ensemble_weights;
  std::string input_path, output_path, prefix_path;
  std::string output_format = "text";
  bool scores = false;
};

// The command line: the files, the output format, and the options over the model's defaults.
// Returns -1 to go on, else the exit status (--help, a bad flag).
int parse_translate_args(const std::vector<std::string>& args, TranslateArgs& a,
                         po::variables_map& vm) {
  po::options_description desc(
      "rnmt translate: raw text in, raw text out with a model file from `rnmt run`.\n"
      "Exactly one output line per input line (N lines with --num-hypotheses N); an empty line\n"
      "gives an empty line. Lines longer than the model's maximum are truncated with a warning.\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "model,m", po::value(&a.model_paths)->required()->composing(),
      "model file (workdir/model.rnmt); several -m decode as an ensemble (same target tokenizer)")(
      "weights", po::value(&a.ensemble_weights)->multitoken(),
      "ensemble: one weight per model for its log-probabilities (default: equal, summing to 1)")(
      "input,i", po::value(&a.input_path), "raw text to translate (default: stdin)")(
      "output,o", po::value(&a.output_path), "where translations go (default: stdout)")(
      "target-prefix", po::value(&a.prefix_path),
      "a file of target prefixes, one per input line: each output starts with its line's "
      "prefix and continues as the model finds best (an empty line: no prefix)")(
      "scores", po::bool_switch(&a.scores), "append ' ||| score' (log p / length^alpha)")(
      "output-format", po::value(&a.output_format)->default_value("text"),
      "text: the translation (with --num-hypotheses N: 'LINE ||| text ||| score' lines; with "
      "--return-alignments: ' ||| s-t ...', for each output piece t the most attended source "
      "piece s); json: one JSON object per input line with every hypothesis' text, score, tokens "
      "(alignment, attention); --return-attention implies json");
  desc.add(translation_flags(kOptionCommandLine));
  if (int status = parse_command(args, desc, vm, "translate"); status >= 0) return status;
  if (a.output_format != "text" && a.output_format != "json")
    throw Error("--output-format must be text or json, not '" + a.output_format + "'");
  return -1;
}

// One input line's translations, as text lines or one JSON object.
void write_result(std::ostream& out, int64_t index, const TranslationResult& r,
                  const TranslationOptions& options, bool json, bool scores) {
  if (json) {
    out << translation_json(r, options, index) << '\n';
    return;
  }
  for (const auto& h : r.hypotheses)
    write_hypothesis(out, index, h, options.num_hypotheses > 1, scores, options.return_alignments);
}

// The closing line on stderr: lines, pieces, search, speed.
std::string summary(const Totals& totals, const TranslationOptions& options, size_t models,
                    double elapsed, double load_seconds) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << "translate: " << totals.lines << " lines ("
    << totals.empty << " empty, " << totals.truncated << " truncated), " << totals.source_tokens
    << " source pieces -> " << totals.output_tokens << " output pieces (ratio "
    << std::setprecision(3)
    << static_cast<double>(totals.output_tokens) /
           static_cast<double>(std::max<int64_t>(totals.source_tokens, 1))
    << "), "
    << (options.sampling_topk != 1 ? "sampling" : "beam " + std::to_string(options.beam_size))
    << (models > 1 ? ", ensemble of " + std::to_string(models) + " models" : std::string()) << ", "
    << std::setprecision(2) << elapsed << " s: " << std::setprecision(1)
    << totals.lines / std::max(elapsed, 1e-9) << " sentences/s (model loaded in "
    << std::setprecision(2) << load_seconds << " s)\n";
  return s.str();
}

// The next chunk of input lines (bounded in lines and bytes); false at the end of the input.
bool read_chunk(std::istream& in, std::vector<std::string>& chunk) {
  chunk.clear();
  size_t bytes = 0;
  std::string line;
  while (chunk.size() < kChunkLines && bytes < kChunkBytes) {
    if (!read_text_line(in, line)) return !chunk.empty();
    bytes += line.size();
    chunk.push_back(line);
  }
  return true;
}

// The prefixes of the chunk's lines, one per line, from the prefix file.
std::vector<std::string> read_prefixes(std::istream& file, const std::string& path, size_t lines,
                                       int64_t lines_before) {
  std::vector<std::string> prefixes;
  std::string line;
  for (size_t i = 0; i < lines; ++i) {
    if (!read_text_line(file, line)) {
      throw Error("'" + path + "' ends after " +
                  std::to_string(lines_before + static_cast<int64_t>(i)) +
                  " lines, the input has more");
    }
    prefixes.push_back(line);
  }
  return prefixes;
}

}  // namespace

int translate_command(const std::vector<std::string>& args) {
  TranslateArgs a;
  po::variables_map vm;
  if (int status = parse_translate_args(args, a, vm); status >= 0) return status;
  const auto start = std::chrono::steady_clock::now();
  const Translator translator(a.model_paths, a.ensemble_weights);
  TranslationOptions options = translator.default_options();
  apply_translation_flags(vm, kOptionCommandLine, options);
  // A token budget alone bounds the batches (a line count given with it bounds them too).
  if (options.max_batch_tokens > 0 && !vm.count("max-batch-size") && !vm.count("batch-size"))
    options.max_batch_size = std::numeric_limits<int64_t>::max();
  const bool json = a.output_format == "json" || options.return_attention;
  std::ifstream input_file, prefix_file;
  if (!a.prefix_path.empty()) prefix_file = open_input_file(a.prefix_path, "target prefixes");
  if (!a.input_path.empty()) input_file = open_input_file(a.input_path);
  OutputFile output(a.output_path);
  std::istream& in = a.input_path.empty() ? std::cin : input_file;
  std::ostream& out = output.stream();
  std::ios::sync_with_stdio(false);

  translator.validate(options);  // refuses bad options even when no line follows
  for (const std::string& note : translator.notes(options))
    std::cerr << "translate: " << note << "\n";
  const bool progress = isatty(STDERR_FILENO) == 1;
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double load_seconds = seconds();
  Totals totals;
  std::vector<std::string> chunk;
  while (read_chunk(in, chunk)) {
    if (!a.prefix_path.empty())
      options.target_prefix = read_prefixes(prefix_file, a.prefix_path, chunk.size(), totals.lines);
    const int64_t first = totals.lines;
    const auto results = translator.translate(
        chunk, options,
        [&](int64_t done, int64_t) {
          if (!progress) return;
          std::cerr << "\rtranslate: " << first + done << " lines, " << std::fixed
                    << std::setprecision(1) << (first + done) / (seconds() - load_seconds)
                    << " sentences/s" << std::flush;
        },
        first + 1);
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      const int64_t index = first + static_cast<int64_t>(i);
      if (r.truncated && totals.truncated++ < kTruncationWarnings) {
        std::cerr << (progress ? "\r" : "") << "rnmt translate: warning: line " << index + 1
                  << " is longer than the model's " << translator.max_source_length()
                  << " pieces; only its beginning is translated\n";
      }
      if (r.source_tokens.empty()) ++totals.empty;
      totals.source_tokens += static_cast<int64_t>(r.source_tokens.size());
      totals.output_tokens += static_cast<int64_t>(r.hypotheses.front().tokens.size());
      write_result(out, index, r, options, json, a.scores);
    }
    totals.lines += static_cast<int64_t>(chunk.size());
    out.flush();
  }
  std::string line;
  if (!a.prefix_path.empty() && read_text_line(prefix_file, line))
    throw Error("'" + a.prefix_path + "' has more lines than the input");
  output.commit("translations");
  std::cerr << (progress ? "\r" : "")
            << summary(totals, options, a.model_paths.size(), seconds() - load_seconds,
                       load_seconds);
  return 0;
}

}  // namespace rnmt::cli
