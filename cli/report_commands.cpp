// rnmt inspect (one model, some sentences) and rnmt report (one training run): HTML pages that
// show the inside of the network, and the same data as JSON.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "inspect/model_inspection.hpp"
#include "report/html_page.hpp"
#include "report/inspection_json.hpp"
#include "report/training_report.hpp"
#include "rnmt/translator.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

std::vector<std::string> read_lines(const std::string& path, int64_t max_lines, int64_t& total) {
  std::ifstream file;
  if (!path.empty()) {
    file.open(path);
    if (!file) throw Error("cannot read '" + path + "'");
  }
  std::istream& in = path.empty() ? std::cin : file;
  std::vector<std::string> lines;
  std::string line;
  total = 0;
  while (std::getline(in, line)) {
    ++total;
    if (static_cast<int64_t>(lines.size()) < max_lines) lines.push_back(line);
  }
  return lines;
}

// The page and, when asked, the JSON beside it, each written atomically; says what was written.
void write_report(ReportKind kind, const std::string& title, const nlohmann::ordered_json& data,
                  const std::string& html_path, const std::string& json_path, const char* command) {
  const std::string page = html_page(kind, title, data);
  write_file_atomically(html_path, page);
  std::cerr << command << ": wrote " << html_path << " (" << (page.size() + 1023) / 1024 << " KiB)";
  if (!json_path.empty()) {
    const std::string json =
        data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    write_file_atomically(json_path, json + "\n");
    std::cerr << " and " << json_path;
  }
  std::cerr << "\n";
}

}  // namespace

int inspect_command(const std::vector<std::string>& args) {
  std::string model_path, input_path, output_path, json_path;
  int64_t beam = 0, max_lines = 20;
  po::options_description desc(
      "rnmt inspect: translate some lines and show what the network did on each, as a\n"
      "self-contained HTML page: attention, every recurrent layer's gates, cell states and\n"
      "hidden-state norms through time, and every weight matrix.\n"
      "options");
  desc.add_options()("help,h", "show this help")("model,m", po::value(&model_path)->required(),
                                                 "model file (workdir/model.rnmt)")(
      "input,i", po::value(&input_path), "raw text lines to inspect (default: stdin)")(
      "output,o", po::value(&output_path)->required(), "the HTML report to write")(
      "json", po::value(&json_path), "also write the report's data as JSON to this file")(
      "beam", po::value(&beam), "beam size; 1 is greedy search (default: the model's recipe)")(
      "max-lines", po::value(&max_lines)->default_value(20),
      "inspect at most this many lines (each adds every layer's gates to the page)");
  po::variables_map vm;
  if (const int status = parse_command(args, desc, vm, "inspect"); status >= 0) return status;
  if (max_lines < 1) throw Error("--max-lines must be at least 1");
  int64_t total = 0;
  const std::vector<std::string> lines = read_lines(input_path, max_lines, total);
  if (lines.empty()) throw Error("inspect: no input lines");
  if (total > max_lines)
    std::cerr << "inspect: the first " << max_lines << " of " << total
              << " lines (raise --max-lines for more)\n";
  const Translator translator(model_path);
  TranslationOptions options = translator.default_options();
  if (vm.count("beam")) options.beam_size = beam;
  const ModelInspection inspection = inspect_model(translator, model_path, lines, options);
  size_t layers = 0;
  for (const auto& s : inspection.sentences) layers = std::max(layers, s.layers.size());
  write_report(ReportKind::inspection, "rnmt inspect: " + model_path, inspection_json(inspection),
               output_path, json_path, "inspect");
  std::cerr << "inspect: " << lines.size() << " lines, " << layers << " recurrent layers, "
            << inspection.weights.size() << " weight matrices\n";
  return 0;
}

int report_command(const std::vector<std::string>& args) {
  std::string workdir, output_path, json_path;
  po::options_description desc(
      "rnmt report WORKDIR: the training run of an `rnmt run` workdir as a self-contained HTML\n"
      "page: loss, perplexity, validation, learning rate and gradient norm over steps, and\n"
      "(with training.inspect_every) gradients through time, gate saturation and clipping.\n"
      "options");
  desc.add_options()("help,h", "show this help")("output,o", po::value(&output_path)->required(),
                                                 "the HTML report to write")(
      "json", po::value(&json_path), "also write the report's data as JSON to this file");
  po::options_description hidden;
  hidden.add_options()("workdir", po::value(&workdir));
  po::positional_options_description positional;
  positional.add("workdir", 1);
  po::variables_map vm;
  if (const int status = parse_command(args, desc, vm, "report", &hidden, &positional); status >= 0)
    return status;
  if (workdir.empty()) return usage_error("report", "give the run's workdir", desc);
  const nlohmann::ordered_json data = training_report_data(workdir);
  if (data["skipped_lines"].get<int64_t>() > 0)
    std::cerr << "report: skipped " << data["skipped_lines"].get<int64_t>()
              << " unreadable log lines (a killed run's last line?)\n";
  write_report(ReportKind::training, "rnmt report: " + workdir, data, output_path, json_path,
               "report");
  std::cerr << "report: " << data["training"].size() << " training entries, "
            << data["validation"].size() << " validations, " << data["inspections"].size()
            << " inspections\n";
  return 0;
}

}  // namespace rnmt::cli
