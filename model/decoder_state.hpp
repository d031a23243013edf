#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace rnmt {

// Where decoding stands for a set of rows (hypotheses): everything a decoder step reads and
// writes besides the weights. Seq2Seq::start makes one for a batch, Seq2Seq::step advances every
// row by one token, and search strategies reorder, copy and drop rows with select(). Rows attend
// to their sentence's encoder memory, which stays in the network that made the state: a state is
// valid with that network until it starts another.
//
// The buffers hold the live rows rounded up to a few sizes (padded_rows), so that the primitives
// and products, one per row count, stay few while sentences leave; padding rows copy row 0.
struct DecoderState {
  int64_t layers = 0, hidden = 0;
  bool input_feeding = false;     // whether the attentional vector is state (the next input)
  int64_t rows = 0;               // live rows
  int64_t padded_rows = 0;        // rows the buffers hold
  Tensor h, c;                    // [layers, padded_rows, hidden] states (c: LSTM only, else empty)
  Tensor attentional;             // [padded_rows, hidden] the last step's attentional vectors
  std::vector<int32_t> sentence;  // [padded_rows] the batch sentence whose memory a row attends
  Tensor next_h, next_c, next_attentional;  // the same shapes: what step() and select() write
  std::vector<int32_t> next_sentence;

  // Row i becomes what row from[i] was, for from.size() live rows (any may repeat). The
  // attentional vectors follow only with input feeding (otherwise no step reads them).
  void select(const std::vector<int32_t>& from);
};

// The padded row count for `rows` live rows: multiples of 8 up to 64, then of 16.
int64_t padded_row_count(int64_t rows);

}  // namespace rnmt
