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

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
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

// --output-format json: one object per input line (nlohmann-json does the escaping; invalid UTF-8
// cannot reach it: the tokenizer's policy has already replaced or refused it).
std::string json_line(int64_t index, const TranslationResult& r, bool alignments) {
  nlohmann::ordered_json hypotheses = nlohmann::ordered_json::array();
  for (const auto& h : r.hypotheses) {
    nlohmann::ordered_json j = {{"text", h.text}, {"score", h.score}, {"tokens", h.tokens}};
    if (alignments) {
      nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
      for (const auto& a : h.alignment) pairs.push_back({a.source, a.target});
      j["alignment"] = pairs;
    }
    if (!h.attention.empty()) j["attention"] = h.attention;  // [output piece][source piece]
    hypotheses.push_back(std::move(j));
  }
  const nlohmann::ordered_json line = {{"line", index},
                                       {"source_tokens", r.source_tokens},
                                       {"truncated", r.truncated},
                                       {"hypotheses", hypotheses}};
  return line.dump();
}

}  // namespace

int translate_command(const std::vector<std::string>& args) {
  std::vector<std::string> model_paths;
  std::vector<double> ensemble_weights;
  std::string input_path, output_path;
  int64_t beam = 0, n_best = 1, batch_size = 32, batch_tokens = 0;
  double length_penalty = -1, max_length_ratio = 0;
  int threads = 0;
  int64_t sampling_topk = 1, min_length = 0, max_length = 0, no_repeat_ngram = 0;
  double repetition_penalty = 1, word_penalty = 0;
  std::string prefix_path;
  double sampling_topp = 1, sampling_temperature = 1;
  uint64_t seed = 0;
  std::string compute_type = "float32";
  bool alignments = false, scores = false, attention = false;
  std::string output_format = "text";
  po::options_description desc(
      "rnmt translate: raw text in, raw text out with a model file from `rnmt run`.\n"
      "Exactly one output line per input line (N lines with --n-best N); an empty line gives an\n"
      "empty line. Lines longer than the model's maximum are truncated with a warning.\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "model,m", po::value(&model_paths)->required()->composing(),
      "model file (workdir/model.rnmt); several -m decode as an ensemble (same target tokenizer)")(
      "weights", po::value(&ensemble_weights)->multitoken(),
      "ensemble: one weight per model for its log-probabilities (default: equal, summing to 1)")(
      "input,i", po::value(&input_path), "raw text to translate (default: stdin)")(
      "output,o", po::value(&output_path), "where translations go (default: stdout)")(
      "beam", po::value(&beam), "beam size; 1 is greedy search (default: the model's recipe)")(
      "n-best", po::value(&n_best)->default_value(1),
      "write the N best hypotheses per line as 'LINE ||| text ||| score' (N <= beam)")(
      "batch-size", po::value(&batch_size)->default_value(32),
      "lines translated together (sorted by length)")(
      "batch-tokens", po::value(&batch_tokens)->default_value(0),
      "instead of --batch-size: at most this many source pieces per batch, padding included")(
      "length-penalty", po::value(&length_penalty),
      "alpha in score = log p / length^alpha (default: the model's recipe)")(
      "max-length-ratio", po::value(&max_length_ratio),
      "outputs stop at ratio x source pieces + 10 (default: the model's recipe)")(
      "threads", po::value(&threads)->default_value(0),
      "CPU threads (default: OMP_NUM_THREADS or every core)")(
      "compute-type", po::value(&compute_type)->default_value("float32"),
      "float32 (the trained model's arithmetic) or bfloat16 (output layer and attention in bf16: "
      "faster on CPUs with AVX-512 BF16, slightly different results)")(
      "sampling-topk", po::value(&sampling_topk),
      "random sampling instead of search when not 1: draw each token from the K most probable "
      "(0: from all); --n-best N gives N samples per line (default: the model's recipe)")(
      "sampling-topp", po::value(&sampling_topp),
      "sampling: draw only from the fewest most probable tokens whose probability reaches P")(
      "sampling-temperature", po::value(&sampling_temperature),
      "sampling: divide the logits by T (below 1: sharper, 0: the most probable token)")(
      "target-prefix", po::value(&prefix_path),
      "a file of target prefixes, one per input line: each output starts with its line's "
      "prefix and continues as the model finds best (an empty line: no prefix)")(
      "min-decoding-length", po::value(&min_length)->default_value(0),
      "no </s> before this many output pieces")(
      "max-decoding-length", po::value(&max_length)->default_value(0),
      "at most this many output pieces (0: only --max-length-ratio's limit)")(
      "repetition-penalty", po::value(&repetition_penalty),
      "divide the logits of tokens already output by P before each choice (above 1: fewer "
      "repetitions; default: the model's recipe)")(
      "no-repeat-ngram-size", po::value(&no_repeat_ngram),
      "never repeat an n-gram of this size in an output (0: off; default: the model's recipe)")(
      "word-penalty", po::value(&word_penalty),
      "each output piece but </s> costs this much in the score (positive: shorter outputs)")(
      "seed", po::value(&seed),
      "sampling: the random seed; a line's samples depend only on it and the line's number "
      "(default: the recipe's; 0 draws a fresh one)")("scores", po::bool_switch(&scores),
                                                      "append ' ||| score' (log p / length^alpha)")(
      "output-format", po::value(&output_format)->default_value("text"),
      "text, or json: one JSON object per input line with every hypothesis' text, score, "
      "tokens (and alignment)")(
      "return-attention", po::bool_switch(&attention),
      "soft alignments: each output piece's attention weights over the source pieces, in the JSON "
      "output (implies --output-format json)")(
      "alignments", po::bool_switch(&alignments),
      "append ' ||| s-t ...': for each output piece t the most attended source piece s");
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "translate"); status >= 0) return status;

  if (output_format != "text" && output_format != "json")
    throw Error("--output-format must be text or json, not '" + output_format + "'");
  const bool json = output_format == "json" || attention;
  const auto start = std::chrono::steady_clock::now();
  const Translator translator(model_paths, ensemble_weights);
  TranslationOptions options = translator.default_options();
  if (vm.count("beam")) options.beam_size = beam;
  options.num_hypotheses = n_best;
  if (vm.count("length-penalty")) options.length_penalty = length_penalty;
  if (vm.count("max-length-ratio")) options.max_length_ratio = max_length_ratio;
  options.return_alignments = alignments;
  options.return_attention = attention;
  if (vm.count("sampling-topk")) options.sampling_topk = sampling_topk;
  if (vm.count("sampling-topp")) options.sampling_topp = sampling_topp;
  if (vm.count("sampling-temperature")) options.sampling_temperature = sampling_temperature;
  if (vm.count("seed")) options.random_seed = seed;
  if (vm.count("repetition-penalty")) options.repetition_penalty = repetition_penalty;
  if (vm.count("no-repeat-ngram-size")) options.no_repeat_ngram_size = no_repeat_ngram;
  if (vm.count("word-penalty")) options.word_penalty = word_penalty;
  options.min_decoding_length = min_length;
  options.max_decoding_length = max_length;
  options.max_batch_size = batch_tokens > 0 ? std::numeric_limits<int64_t>::max() : batch_size;
  options.max_batch_tokens = batch_tokens;
  options.threads = threads;
  options.compute_type = compute_type;
  std::ifstream input_file, prefix_file;
  if (!prefix_path.empty()) prefix_file = open_input_file(prefix_path, "target prefixes");
  if (!input_path.empty()) input_file = open_input_file(input_path);
  OutputFile output(output_path);
  std::istream& in = input_path.empty() ? std::cin : input_file;
  std::ostream& out = output.stream();
  std::ios::sync_with_stdio(false);

  translator.validate(options);  // refuses bad options even when no line follows
  const bool progress = isatty(STDERR_FILENO) == 1;
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double load_seconds = seconds();
  Totals totals;
  std::vector<std::string> chunk;
  std::string line;
  bool more = true;
  while (more) {
    chunk.clear();
    size_t chunk_bytes = 0;
    while (chunk.size() < kChunkLines && chunk_bytes < kChunkBytes &&
           (more = read_text_line(in, line))) {
      chunk_bytes += line.size();
      chunk.push_back(line);
    }
    if (chunk.empty()) break;
    options.target_prefix.clear();
    for (size_t i = 0; !prefix_path.empty() && i < chunk.size(); ++i) {
      if (!read_text_line(prefix_file, line)) {
        throw Error("'" + prefix_path + "' ends after " +
                    std::to_string(totals.lines + static_cast<int64_t>(i)) +
                    " lines, the input has more");
      }
      options.target_prefix.push_back(line);
    }
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
      if (json) {
        out << json_line(index, r, alignments) << '\n';
      } else {
        for (const auto& h : r.hypotheses)
          write_hypothesis(out, index, h, n_best > 1, scores, alignments);
      }
    }
    totals.lines += static_cast<int64_t>(chunk.size());
    out.flush();
  }
  if (!prefix_path.empty() && read_text_line(prefix_file, line))
    throw Error("'" + prefix_path + "' has more lines than the input");
  output.commit("translations");
  const double elapsed = seconds() - load_seconds;
  std::ostringstream summary;
  summary << std::fixed << std::setprecision(1) << "translate: " << totals.lines << " lines ("
          << totals.empty << " empty, " << totals.truncated << " truncated), "
          << totals.source_tokens << " source pieces -> " << totals.output_tokens
          << " output pieces (ratio " << std::setprecision(3)
          << static_cast<double>(totals.output_tokens) /
                 static_cast<double>(std::max<int64_t>(totals.source_tokens, 1))
          << "), "
          << (options.sampling_topk != 1 ? "sampling" : "beam " + std::to_string(options.beam_size))
          << (model_paths.size() > 1
                  ? ", ensemble of " + std::to_string(model_paths.size()) + " models"
                  : std::string())
          << ", " << std::setprecision(2) << elapsed << " s: " << std::setprecision(1)
          << totals.lines / std::max(elapsed, 1e-9) << " sentences/s (model loaded in "
          << std::setprecision(2) << load_seconds << " s)\n";
  std::cerr << (progress ? "\r" : "") << summary.str();
  return 0;
}

}  // namespace rnmt::cli
