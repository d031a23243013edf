// rnmt quantize: a model file with its weights in int8 (model_file/quantized_weights.hpp).
#include <boost/program_options.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "model_file/model_file.hpp"
#include "model_file/quantized_weights.hpp"
#include "model_file/weights.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int quantize_command(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  po::options_description desc(
      "rnmt quantize IN.rnmt OUT.rnmt: the same model with its weight matrices stored in int8\n"
      "(about a quarter of the size; loads faster). `--compute-type int8` translates with\n"
      "exactly the values it would quantise the float32 weights to; float32 with the\n"
      "dequantised ones (docs/translating.md)\noptions");
  desc.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&files));
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "quantize", &hidden, &positional); status >= 0)
    return status;
  if (files.size() != 2) return usage_error("quantize", "quantize IN.rnmt OUT.rnmt", desc);
  const std::string& in = files[0];
  const std::string& out = files[1];
  Archive archive = read_archive(in, kModelFileTag, kModelFileVersion);
  if (archive.sections.count(kQuantizedWeightsSection))
    throw Error("'" + in + "' is quantised already");
  const LoadedModel model = load_model(archive, in);  // checks everything before writing
  archive.sections.erase(kWeightsSection);
  archive.sections[kQuantizedWeightsSection] = quantized_weight_bytes(model.network->params());
  write_archive(archive, out);
  const auto before = std::filesystem::file_size(in), after = std::filesystem::file_size(out);
  std::cerr << "quantize: wrote " << out << ": " << std::fixed << std::setprecision(1)
            << static_cast<double>(after) / 1e6 << " MB (" << in << ": "
            << static_cast<double>(before) / 1e6 << " MB, " << std::setprecision(0)
            << 100.0 * static_cast<double>(after) / static_cast<double>(before) << "%)\n";
  return 0;
}

}  // namespace rnmt::cli
