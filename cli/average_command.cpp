// rnmt average: checkpoint averaging of model files.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "model_file/average.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int average_command(const std::vector<std::string>& args) {
  std::string output;
  std::vector<std::string> inputs;
  po::options_description desc(
      "rnmt average -o OUT.rnmt A.rnmt B.rnmt ...: one model file whose weights are the mean of\n"
      "the given ones' (same architecture and tokenizers; recipe and tokenizers come from the\n"
      "first)\noptions");
  desc.add_options()("help,h", "show this help")("output,o", po::value(&output)->required(),
                                                 "the averaged model file");
  po::options_description hidden;
  hidden.add_options()("models", po::value(&inputs));
  po::positional_options_description models;
  models.add("models", -1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "average", &hidden, &models); status >= 0)
    return status;
  if (inputs.size() < 2)
    return usage_error("average", "average which model files? (two or more)", desc);
  write_model_file(average_model_files(inputs), output);
  std::cerr << "average: wrote " << output << ", the mean of " << inputs.size() << " models ("
            << std::filesystem::file_size(output) / 1000 << " kB)\n";
  return 0;
}

}  // namespace rnmt::cli
