#include "model_file/quantized_weights.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/error.hpp"

namespace rnmt {
namespace {

constexpr float kLevels = 127.0f;
enum class Grouping : uint8_t { none = 0, rows = 1, gate_channels = 2 };

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Grouping grouping_of(const Param& p) {
  if (ends_with(p.name, ".weights_layer") || ends_with(p.name, ".weights_iter"))
    return Grouping::gate_channels;
  if (p.dims.size() == 2 && !ends_with(p.name, ".bias")) return Grouping::rows;
  return Grouping::none;
}

// The recurrent layer's other matrix: the pair shares its (gate, channel) scales.
const Param* partner_of(const ParamSet& params, const Param& p) {
  const bool layer = ends_with(p.name, ".weights_layer");
  const std::string stem = p.name.substr(0, p.name.rfind('.'));
  const std::string other = stem + (layer ? ".weights_iter" : ".weights_layer");
  for (const Param& q : params.params())
    if (q.name == other) return &q;
  throw Error("quantize: " + p.name + " has no " + other);
}

// Dequantisation factors (largest magnitude / 127) of each group of p.
std::vector<float> group_scales(const ParamSet& params, const Param& p, Grouping g) {
  std::vector<float> largest;
  if (g == Grouping::rows) {
    const int64_t rows = p.dims[0], cols = p.dims[1];
    largest.assign(static_cast<size_t>(rows), 0.0f);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        largest[static_cast<size_t>(r)] =
            std::max(largest[static_cast<size_t>(r)], std::fabs(p.w[r * cols + c]));
  } else {
    const int64_t columns = p.dims[1] * p.dims[2];
    largest.assign(static_cast<size_t>(columns), 0.0f);
    for (const Param* m : {&p, partner_of(params, p)}) {
      for (size_t i = 0; i < m->size; ++i) {
        float& l = largest[i % static_cast<size_t>(columns)];
        l = std::max(l, std::fabs(m->w[i]));
      }
    }
  }
  for (float& l : largest) l = (l > 0 ? l : 1.0f) / kLevels;
  return largest;
}

size_t group_of(const Param& p, Grouping g, size_t i) {
  return g == Grouping::rows ? i / static_cast<size_t>(p.dims[1])
                             : i % static_cast<size_t>(p.dims[1] * p.dims[2]);
}

}  // namespace

// Layout: total floats (u64), then per parameter in ParamSet order: grouping (u8); none: f32
// values; otherwise f32 scales [groups] and s8 values.
std::string quantized_weight_bytes(const ParamSet& params) {
  std::string out;
  const uint64_t total = params.total();
  append_values(out, &total, 1);
  std::vector<int8_t> q;
  for (const Param& p : params.params()) {
    const Grouping g = grouping_of(p);
    out += static_cast<char>(g);
    if (g == Grouping::none) {
      append_values(out, p.w, p.size);
      continue;
    }
    const std::vector<float> scales = group_scales(params, p, g);
    append_values(out, scales.data(), scales.size());
    q.resize(p.size);
    for (size_t i = 0; i < p.size; ++i)
      q[i] = static_cast<int8_t>(std::lrint(p.w[i] / scales[group_of(p, g, i)]));
    append_values(out, q.data(), q.size());
  }
  return out;
}

namespace {

std::string truncated(const std::string& what) {
  return "'" + what + "': its int8 weights are truncated";
}

}  // namespace

size_t quantized_weight_count(const std::string& bytes, const std::string& what) {
  uint64_t total;
  ByteReader(bytes, truncated(what)).take(&total, sizeof total);
  return static_cast<size_t>(total);
}

void set_quantized_weights(ParamSet& params, const std::string& bytes, const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Error("'" + what + "': its int8 weights " + why);
  };
  if (quantized_weight_count(bytes, what) != params.total())
    throw bad("are for a network of " + std::to_string(quantized_weight_count(bytes, what)) +
              " weights, this model has " + std::to_string(params.total()));
  ByteReader in(bytes, truncated(what));
  uint64_t total;
  in.take(&total, sizeof total);  // (checked above)
  std::vector<float> scales;
  std::vector<int8_t> q;
  for (Param& p : params.params()) {
    const Grouping g = grouping_of(p);
    uint8_t stored;
    in.take(&stored, 1);
    if (stored != static_cast<uint8_t>(g)) throw bad("do not match the network at " + p.name);
    if (g == Grouping::none) {
      in.take(p.w, p.size * sizeof(float));
      continue;
    }
    scales.resize(g == Grouping::rows ? static_cast<size_t>(p.dims[0])
                                      : static_cast<size_t>(p.dims[1] * p.dims[2]));
    in.take(scales.data(), scales.size() * sizeof(float));
    for (float s : scales)
      if (!(std::isfinite(s) && s > 0)) throw bad("have a scale that is not a positive number");
    q.resize(p.size);
    in.take(q.data(), q.size());
    for (size_t i = 0; i < p.size; ++i)
      p.w[i] = static_cast<float>(q[i]) * scales[group_of(p, g, i)];
  }
  if (in.left() != 0) throw bad("have bytes after their end");
  params.touch();
}

}  // namespace rnmt
