#pragma once
// The recurrent cells rnmt builds, by name: what a recipe may name without including oneDNN.
#include "core/enum_names.hpp"

namespace rnmt {

enum class Cell { lstm, gru };
inline constexpr EnumName<Cell> kCellNames[] = {{Cell::lstm, "lstm"}, {Cell::gru, "gru"}};

// The decoder's cell. lstm, gru: a stack of them under Luong attention. clstm, cgru: a conditional
// cell (Marian's and Nematus' s2s decoder): a first cell reads the previous word, Bahdanau
// attention reads its state, a second cell reads the context from that state, and a deep output
// layer reads the previous word, the state and the context.
enum class DecoderCell { lstm, gru, clstm, cgru };
inline constexpr EnumName<DecoderCell> kDecoderCellNames[] = {{DecoderCell::lstm, "lstm"},
                                                              {DecoderCell::gru, "gru"},
                                                              {DecoderCell::clstm, "clstm"},
                                                              {DecoderCell::cgru, "cgru"}};

// The recurrent cell a decoder cell is made of.
inline Cell rnn_cell(DecoderCell cell) {
  return cell == DecoderCell::lstm || cell == DecoderCell::clstm ? Cell::lstm : Cell::gru;
}
inline bool is_conditional(DecoderCell cell) {
  return cell == DecoderCell::clstm || cell == DecoderCell::cgru;
}

}  // namespace rnmt
