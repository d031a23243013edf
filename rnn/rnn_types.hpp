#pragma once
// The recurrent cells rnmt builds, by name: what a recipe may name without including oneDNN.
#include "core/enum_names.hpp"

namespace rnmt {

enum class Cell { lstm, gru };
inline constexpr EnumName<Cell> kCellNames[] = {{Cell::lstm, "lstm"}, {Cell::gru, "gru"}};

}  // namespace rnmt
