#pragma once
// The command line's flags for TranslationOptions, read from the options' one table
// (rnmt/translation_options.hpp): --name-with-dashes for every field, and its older alias.
#include <boost/program_options.hpp>

#include "rnmt/translation_options.hpp"

namespace rnmt::cli {

// The flags of the fields whose use includes `use` (kOptionCommandLine: rnmt translate;
// kOptionScoring: rnmt score). List fields (target_prefix) are left to the command, which reads
// them from a file.
boost::program_options::options_description translation_flags(unsigned use);

// The flags given in `vm` over `options`; a flag given under both its names is an Error.
void apply_translation_flags(const boost::program_options::variables_map& vm, unsigned use,
                             TranslationOptions& options);

// "--name-with-dashes" of a field or alias name.
std::string flag_name(const char* name);

}  // namespace rnmt::cli
