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

}  // namespace rnmt
