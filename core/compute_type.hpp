#pragma once
// The arithmetic of inference: which types the products (and, in int8, the recurrent layers) use,
// and whether this CPU runs them.
#include "core/enum_names.hpp"

namespace rnmt {

// The arithmetic of an inference product: f32 (exact to the trained model), bf16 operands with
// f32 accumulation and output (about twice as fast where the CPU has AVX-512 BF16 or AMX; results
// differ slightly from f32), or int8: weights quantised per output row (symmetric, s8, the scale
// from the row's largest magnitude, once per weight version) and the input per call (symmetric, s8,
// the scale from the call's largest magnitude), s32 accumulation, f32 output. In int8 the LSTM
// layers run oneDNN's u8s8 inference too (rnn/rnn_layer.hpp).
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

}  // namespace rnmt
