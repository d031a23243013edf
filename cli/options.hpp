#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace rnmt::cli {

// Parses a command's arguments into vm: `options` are the documented ones (with "help"),
// `positional` optionally names hidden options filled by position. Prints the help (to stdout) or
// the error with the help (to stderr). Returns -1 when the command should go on, else its exit
// status.
int parse_command(
    const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    boost::program_options::variables_map& vm, const std::string& command,
    const boost::program_options::options_description* hidden = nullptr,
    const boost::program_options::positional_options_description* positional = nullptr);

// For a command missing its required positional argument: the message and the help on stderr.
int usage_error(const std::string& command, const std::string& message,
                const boost::program_options::options_description& options);

}  // namespace rnmt::cli
