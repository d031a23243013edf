// rnmt bleu REF [HYP]: corpus BLEU as sacreBLEU computes it by default.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "rnmt/bleu.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

std::vector<std::string> read_lines(std::istream& in) {
  std::vector<std::string> lines;
  std::string line;
  while (read_text_line(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in = open_input_file(path);
  return read_lines(in);
}

}  // namespace

int bleu_command(const std::vector<std::string>& args) {
  std::vector<std::string> positional, extra_refs;
  std::string tokenize = "13a";
  po::options_description desc(
      "rnmt bleu REF [HYP]: corpus BLEU of HYP (default: stdin) against REF, as sacreBLEU "
      "computes\n"
      "it by default (13a tokenisation, exponential smoothing)\noptions");
  desc.add_options()("help,h", "show this help")("ref", po::value(&extra_refs)->composing(),
                                                 "a further reference file (repeatable)")(
      "tokenize", po::value(&tokenize)->default_value("13a"), "13a | none");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&positional));
  po::positional_options_description files;
  files.add("files", 2);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "bleu", &hidden, &files); status >= 0)
    return status;
  if (positional.empty())
    return usage_error("bleu", "which reference? (rnmt bleu REF [HYP])", desc);
  if (tokenize != "13a" && tokenize != "none") throw Error("--tokenize must be 13a or none");
  std::vector<std::vector<std::string>> refs = {read_lines(positional[0])};
  for (const auto& r : extra_refs) refs.push_back(read_lines(r));
  const auto hyps = positional.size() > 1 ? read_lines(positional[1]) : read_lines(std::cin);
  const std::string hyp_name = positional.size() > 1 ? "'" + positional[1] + "'" : "stdin";
  for (size_t r = 0; r < refs.size(); ++r) {
    if (refs[r].size() != hyps.size()) {
      throw Error("reference '" + (r == 0 ? positional[0] : extra_refs[r - 1]) + "' has " +
                  std::to_string(refs[r].size()) + " lines, hypotheses " + hyp_name + " have " +
                  std::to_string(hyps.size()));
    }
  }
  const BleuScore score =
      corpus_bleu(hyps, refs, tokenize == "13a" ? BleuTokenize::t13a : BleuTokenize::none);
  std::cout << score.format() << "\n" << score.signature() << "\n";
  return 0;
}

}  // namespace rnmt::cli
