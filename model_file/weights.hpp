#pragma once
#include <cstdint>
#include <string>

#include "core/archive.hpp"
#include "core/params.hpp"

namespace rnmt {

// A network's weights as one archive section, in ParamSet order: in checkpoints, in the weight
// file the training stage keeps its best weights in, and in model files. Here alone are their
// sizes checked and the set's version moved on after new values arrive.
inline constexpr const char* kWeightsSection = "params";
inline constexpr const char* kWeightsFileTag = "RNMTPARM";
inline constexpr uint32_t kWeightsFileVersion = 1;

// Borrows the weights (Archive::put_borrowed): params stay unchanged until write_archive returns.
void put_weights(Archive& archive, const ParamSet& params);
std::string weight_bytes(const ParamSet& params);
// The section's weight count (an Error when it is not a whole number of floats).
size_t stored_weight_count(const Archive& archive, const std::string& what);
// Copies the archive's weights into params. An Error naming `what` (a file) when they do not fit.
void get_weights(const Archive& archive, ParamSet& params, const std::string& what);
// The same from the section's bytes.
void set_weights(ParamSet& params, const std::string& bytes, const std::string& what);

// The weight file: weights alone, written atomically (read back with read_archive and
// get_weights).
void save_weights(const ParamSet& params, const std::string& path);

}  // namespace rnmt
