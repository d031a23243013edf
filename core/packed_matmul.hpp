#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/enum_names.hpp"

namespace rnmt {

struct PreparedWeights;

// The arithmetic of an inference product: f32 (exact to the trained model), bf16 operands with
// f32 accumulation and output (about twice as fast where the CPU has AVX-512 BF16 or AMX; results
// differ slightly from f32), or int8: weights quantised per output row (symmetric, s8, the scale
// from the row's largest magnitude, once per weight version) and the input per call (symmetric, s8,
// the scale from the call's largest magnitude), s32 accumulation, f32 output.
enum class ComputeType { f32, bf16, int8 };
inline constexpr EnumName<ComputeType> kComputeTypeNames[] = {
    {ComputeType::f32, "float32"}, {ComputeType::bf16, "bfloat16"}, {ComputeType::int8, "int8"}};

// Whether this CPU runs oneDNN's bf16 products (AVX-512 BF16 or AMX); without them
// ComputeType::bf16 is an Error. Asked once: oneDNN's answer is fixed for the process.
bool bf16_supported();
inline constexpr const char* kBf16Unsupported =
    "bfloat16 computation needs a CPU with AVX-512 BF16 or AMX; use float32";

// Whether this CPU runs oneDNN's s8s8 products (AVX2 or better); without them ComputeType::int8 is
// an Error.
bool int8_supported();
inline constexpr const char* kInt8Unsupported =
    "int8 computation needs a CPU with AVX2 (oneDNN's s8 matmul); use float32";

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
