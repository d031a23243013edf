#pragma once
#include <string>
#include <vector>

#include "core/archive.hpp"
#include "model_file/model_file.hpp"

namespace rnmt {

// Checkpoint averaging: the element-wise mean of several weight sets of one network, which usually
// translates better than any one of them (Marian's and OpenNMT's averaging of the last
// checkpoints).

// The mean of the archives' weights sections (checkpoints, weight files or model files), summed in
// double. `names` name the archives in errors; a differing weight count is an Error naming the
// first archive and the one that differs.
std::string average_weights(const std::vector<Archive>& archives,
                            const std::vector<std::string>& names);

// Model files of one architecture averaged into one: the recipes' model sections (dropout aside),
// both tokenizers and the weight counts must agree, else an Error names the first file and the
// one that differs. The recipe and tokenizers are the first file's.
ModelFileContents average_model_files(const std::vector<std::string>& paths);

}  // namespace rnmt
