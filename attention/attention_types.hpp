#pragma once
// The attention kinds rnmt builds, by name: what a recipe may name without including oneDNN.
#include "core/enum_names.hpp"

namespace rnmt {

enum class AttentionType { none, dot, general, additive };
inline constexpr EnumName<AttentionType> kAttentionTypeNames[] = {
    {AttentionType::none, "none"},
    {AttentionType::dot, "dot"},
    {AttentionType::general, "general"},
    {AttentionType::additive, "additive"}};

// The attentional vector: tanh(W_c [c; q]) (Luong's), or W_c [c; q] + b with no tanh (OpenNMT-py's
// mlp attention). context (not a recipe's choice: the conditional decoders'): the context vector
// itself, Bahdanau's, with no output projection.
enum class AttentionOutput { tanh, linear, context };
inline constexpr EnumName<AttentionOutput> kAttentionOutputNames[] = {
    {AttentionOutput::tanh, "tanh"}, {AttentionOutput::linear, "linear"}};

}  // namespace rnmt
