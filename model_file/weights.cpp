#include "model_file/weights.hpp"

#include <cstring>

#include "core/error.hpp"

namespace rnmt {

void put_weights(Archive& archive, const ParamSet& params) {
  archive.put_borrowed(kWeightsSection, params.values(), params.total() * sizeof(float));
}

std::string weight_bytes(const ParamSet& params) {
  return {reinterpret_cast<const char*>(params.values()), params.total() * sizeof(float)};
}

namespace {

size_t weight_count(const std::string& bytes, const std::string& what) {
  if (bytes.size() % sizeof(float) != 0)
    throw Error("'" + what + "': its weights are not a whole number of floats");
  return bytes.size() / sizeof(float);
}

}  // namespace

size_t stored_weight_count(const Archive& archive, const std::string& what) {
  return weight_count(archive.get(kWeightsSection), what);
}

void get_weights(const Archive& archive, ParamSet& params, const std::string& what) {
  set_weights(params, archive.get(kWeightsSection), what);
}

void set_weights(ParamSet& params, const std::string& bytes, const std::string& what) {
  const size_t count = weight_count(bytes, what);
  if (count != params.total()) {
    throw Error("'" + what + "' holds " + std::to_string(count) + " weights, this model has " +
                std::to_string(params.total()) + " (was it written by a different recipe?)");
  }
  std::memcpy(params.values(), bytes.data(), count * sizeof(float));
  params.touch();
}

void save_weights(const ParamSet& params, const std::string& path) {
  Archive a;
  a.tag = kWeightsFileTag;
  a.version = kWeightsFileVersion;
  put_weights(a, params);
  write_archive(a, path);
}

}  // namespace rnmt
