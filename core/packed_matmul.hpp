#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/compute_type.hpp"

namespace rnmt {

struct PreparedWeights;

// y [m, n] = x [m, k] · Wᵀ (+ bias) for inference, with W [n, k] row-major (a Linear's or the
// output layer's weight). A matmul on the plain layout packs W into blocks again on every call,
// which costs as much as the product itself when m is a search step's few rows; here W is
// reordered once per parameter version into the layout the primitive asks for, and kept. One
// primitive per row count, created on first use; the scratchpad is owned, so the object may be
// used from a different thread each call (never from two at once).
class PackedMatmul {
 public:
  PackedMatmul(int64_t n, int64_t k, bool with_bias);
  ~PackedMatmul();
  PackedMatmul(PackedMatmul&&) noexcept;
  PackedMatmul& operator=(PackedMatmul&&) noexcept;

  // `version` must change whenever w's values do (ParamSet::version()). A CPU without bf16
  // support makes ComputeType::bf16 an Error, one without int8 products ComputeType::int8.
  void forward(const float* x, int64_t m, const float* w, const float* bias, uint64_t version,
               float* y, ComputeType type = ComputeType::f32);

 private:
  struct Primitive;
  struct QuantizedWeights;
  Primitive& primitive(int64_t m, ComputeType type);
  void forward_int8(Primitive& p, const float* x, int64_t m, const float* w, const float* bias,
                    uint64_t version, float* y);

  int64_t n_, k_;
  bool with_bias_;
  std::map<std::pair<int64_t, ComputeType>, std::unique_ptr<Primitive>> by_shape_;
  std::vector<std::unique_ptr<PreparedWeights>> layouts_;  // one per distinct layout asked for
  std::unique_ptr<QuantizedWeights> quantized_;            // int8: W in s8, with its row scales
};

}  // namespace rnmt
