#include "model/decoder_state.hpp"

#include <cstring>
#include <utility>

namespace rnmt {

int64_t padded_row_count(int64_t rows) {
  const int64_t step = rows <= 64 ? 8 : 16;
  return (rows + step - 1) / step * step;
}

void DecoderState::select(const std::vector<int32_t>& from) {
  const int64_t old_rows = padded_rows, H = hidden;
  rows = static_cast<int64_t>(from.size());
  padded_rows = padded_row_count(rows);
  // new row r <- old row source(r); padding rows <- old row 0
  const auto source = [&](int64_t r) { return r < rows ? from[static_cast<size_t>(r)] : 0; };
  const auto gather = [&](Tensor& values, Tensor& scratch, int64_t blocks) {
    if (values.size() == 0) return;
    scratch.resize({blocks * padded_rows * H});
    for (int64_t l = 0; l < blocks; ++l) {
      for (int64_t r = 0; r < padded_rows; ++r) {
        std::memcpy(scratch.data() + (l * padded_rows + r) * H,
                    values.data() + (l * old_rows + source(r)) * H,
                    sizeof(float) * static_cast<size_t>(H));
      }
    }
    std::swap(values, scratch);
  };
  gather(h, next_h, layers);
  gather(c, next_c, layers);
  if (input_feeding) gather(attentional, next_attentional, 1);
  next_sentence.resize(static_cast<size_t>(padded_rows));
  for (int64_t r = 0; r < padded_rows; ++r)
    next_sentence[static_cast<size_t>(r)] = sentence[static_cast<size_t>(source(r))];
  sentence.swap(next_sentence);
}

}  // namespace rnmt
