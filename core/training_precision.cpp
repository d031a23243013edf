#include "core/training_precision.hpp"

#include "core/error.hpp"

namespace rnmt {

ComputeType training_compute(TrainingPrecision precision) {
  switch (precision) {
    case TrainingPrecision::float32:
      return ComputeType::f32;
    case TrainingPrecision::bfloat16:
      if (!bf16_supported())
        throw Error(
            "training.precision bfloat16 needs a CPU with AVX-512 BF16 or AMX, which this one "
            "lacks; use float32 (or auto: bfloat16 where the CPU has it)");
      return ComputeType::bf16;
    case TrainingPrecision::automatic:
      return bf16_supported() ? ComputeType::bf16 : ComputeType::f32;
  }
  return ComputeType::f32;
}

std::string training_precision_description(TrainingPrecision precision) {
  const ComputeType compute = training_compute(precision);
  std::string text = "precision " + std::string(enum_name(kComputeTypeNames, compute));
  if (precision == TrainingPrecision::automatic)
    text += compute == ComputeType::bf16
                ? " (auto: this CPU has bf16 instructions)"
                : " (auto: this CPU has no AVX-512 BF16 or AMX, so float32)";
  if (compute == ComputeType::bf16)
    text += "; float32 weights, gradients, optimizer state, softmax and loss";
  return text;
}

}  // namespace rnmt
