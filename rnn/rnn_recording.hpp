#pragma once
#include <cstdint>
#include <vector>

namespace rnmt {

// Copies of what one recurrent layer read and wrote in its training calls, in call order, for
// inspection (inspect/): a stepwise decoder layer makes one call per step (backward calls in
// reverse time), a whole-sequence layer one call. Missing states are recorded as zeros.
struct RnnRecording {
  struct Forward {
    int64_t T = 0, N = 0;
    std::vector<float> x;       // [T, N, input]
    std::vector<float> h0, c0;  // [N, hidden] (c0: LSTM only)
    std::vector<float> y;       // [T, N, hidden]
  };
  struct Backward {
    int64_t T = 0, N = 0;
    std::vector<float> dy;        // [T, N, hidden] the gradient arriving at the outputs
    std::vector<float> dhT, dcT;  // [N, hidden] arriving at the final states (dcT: LSTM only)
    std::vector<float> dx;        // [T, N, input] what the layer computed
    std::vector<float> dh0, dc0;  // [N, hidden] what the layer computed (dc0: LSTM only)
  };
  std::vector<Forward> forwards;
  std::vector<Backward> backwards;
};

}  // namespace rnmt
