#pragma once
// The arithmetic training runs in, as a recipe (training.precision) and `rnmt bench train
// --precision` name it.
#include <string>

#include "core/compute_type.hpp"
#include "core/enum_names.hpp"

namespace rnmt {

// float32; bfloat16: bf16 products and recurrent layers with f32 master weights, gradients, Adam
// state, softmax and loss (Seq2Seq::set_training_compute); auto: bfloat16 where the CPU has it
// (AVX-512 BF16 or AMX), float32 elsewhere.
enum class TrainingPrecision { float32, bfloat16, automatic };
inline constexpr EnumName<TrainingPrecision> kTrainingPrecisionNames[] = {
    {TrainingPrecision::float32, "float32"},
    {TrainingPrecision::bfloat16, "bfloat16"},
    {TrainingPrecision::automatic, "auto"}};

// What `precision` trains in on this CPU (f32 or bf16); bfloat16 on a CPU without bf16 is an Error
// naming the missing instructions.
ComputeType training_compute(TrainingPrecision precision);

// One line for the log: the arithmetic chosen and, for auto, why.
std::string training_precision_description(TrainingPrecision precision);

}  // namespace rnmt
