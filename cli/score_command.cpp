// rnmt score: how probable a model finds given translations (forced decoding).
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/translation_flags.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "rnmt/translator.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

constexpr size_t kChunkPairs = 20000;  // pairs read and scored at a time: bounded memory

std::string number(double x) {
  if (std::isnan(x)) return "nan";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", x);
  return b;
}

}  // namespace

int score_command(const std::vector<std::string>& args) {
  std::vector<std::string> model_paths;
  std::vector<double> ensemble_weights;
  std::string source_path, target_path, output_path;
  bool per_token = false;
  po::options_description desc(
      "rnmt score -m MODEL --src S --tgt T: the log-probability the model gives each target\n"
      "line as the translation of its source line (natural log, target pieces and </s>), one\n"
      "line out per pair; 'nan' for an empty source line. For reranking and filtering data.\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "model,m", po::value(&model_paths)->required()->composing(),
      "model file (workdir/model.rnmt); several -m score as an ensemble (same target tokenizer)")(
      "weights", po::value(&ensemble_weights)->multitoken(),
      "ensemble: one weight per model for its log-probabilities (default: equal, summing to 1)")(
      "src", po::value(&source_path)->required(), "source lines (raw text)")(
      "tgt", po::value(&target_path)->required(), "target lines (raw text), as many")(
      "output,o", po::value(&output_path), "where scores go (default: stdout)")(
      "per-token", po::bool_switch(&per_token),
      "append ' ||| ' and each target piece's log-probability, then </s>'s");
  desc.add(translation_flags(kOptionScoring));
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "score"); status >= 0) return status;
  const Translator translator(model_paths, ensemble_weights);
  TranslationOptions options = translator.default_options();
  apply_translation_flags(vm, kOptionScoring, options);
  translator.validate(options);  // refuses bad options before any work
  std::ifstream sources = open_input_file(source_path), targets = open_input_file(target_path);
  OutputFile output(output_path);
  std::ostream& out = output.stream();
  std::vector<std::string> src, tgt;
  std::string s, t;
  int64_t pairs = 0;
  for (bool more = true; more;) {
    src.clear();
    tgt.clear();
    while (src.size() < kChunkPairs) {
      const bool has_s = static_cast<bool>(read_text_line(sources, s));
      const bool has_t = static_cast<bool>(read_text_line(targets, t));
      if (has_s != has_t) {
        const int64_t n = pairs + static_cast<int64_t>(src.size());
        throw Error("'" + (has_s ? target_path : source_path) + "' ends after " +
                    std::to_string(n) + " lines, '" + (has_s ? source_path : target_path) +
                    "' has more");
      }
      if (!(more = has_s)) break;
      src.push_back(s);
      tgt.push_back(t);
    }
    const auto results = translator.score(src, tgt, options, pairs + 1);
    for (const auto& r : results) {
      out << number(r.log_probability);
      if (per_token) {
        out << " |||";
        for (double p : r.token_log_probabilities) out << ' ' << number(p);
      }
      out << '\n';
    }
    pairs += static_cast<int64_t>(src.size());
  }
  output.commit("scores");
  std::cerr << "score: " << pairs << " pairs\n";
  return 0;
}

}  // namespace rnmt::cli
