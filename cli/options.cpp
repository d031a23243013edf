#include "cli/options.hpp"

#include <iostream>

namespace po = boost::program_options;

namespace rnmt::cli {

int parse_command(const std::vector<std::string>& args, const po::options_description& options,
                  po::variables_map& vm, const std::string& command,
                  const po::options_description* hidden,
                  const po::positional_options_description* positional) {
  po::options_description all;
  all.add(options);
  if (hidden) all.add(*hidden);
  try {
    po::command_line_parser parser(args);
    parser.options(all);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << options << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "rnmt " << command << ": " << e.what() << "\n\n" << options << "\n";
    return 2;
  }
  return -1;
}

int usage_error(const std::string& command, const std::string& message,
                const po::options_description& options) {
  std::cerr << "rnmt " << command << ": " << message << "\n\n" << options << "\n";
  return 2;
}

}  // namespace rnmt::cli
