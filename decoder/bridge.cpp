#include "decoder/bridge.hpp"

#include <algorithm>
#include <cstring>

#include "core/vec_math.hpp"

namespace rnmt {

Bridge::Bridge(ParamSet& params, const std::string& name, int64_t input, int64_t hidden,
               int64_t layers, Cell cell, BridgeType type)
    : hidden_(hidden), layers_(layers), cell_(cell), type_(type) {
  if (type == BridgeType::copy) return;  // no weights
  if (type == BridgeType::copy_relu) {
    const int64_t half = layers * hidden / 2;
    relu_.emplace_back(params, name + ".relu_h", half, half, true);
    if (cell == Cell::lstm) relu_.emplace_back(params, name + ".relu_c", half, half, true);
    return;
  }
  for (int64_t l = 0; l < layers; ++l) {
    to_h_.emplace_back(params, name + ".h" + std::to_string(l), input, hidden, true);
    if (cell == Cell::lstm && type == BridgeType::tanh)
      to_c_.emplace_back(params, name + ".c" + std::to_string(l), input, hidden, true);
  }
}

void Bridge::init(Rng& rng) {
  for (auto& l : relu_) l.init(rng);
  for (auto& l : to_h_) l.init(rng);
  for (auto& l : to_c_) l.init(rng);
}

void Bridge::forward(int64_t N, const float* encoder_final) {
  N_ = N;
  encoder_final_ = encoder_final;
  const int64_t L = static_cast<int64_t>(to_h_.size()), NH = N * hidden_;
  h_.resize({L, N, hidden_});
  for (int64_t l = 0; l < L; ++l) to_h_[l].forward(encoder_final, N, h_.data() + l * NH);
  tanh_inplace(h_.data(), L * NH);
  if (!has_c()) return;
  if (type_ == BridgeType::mean) {
    c_ = h_;  // Marian starts an LSTM's cell state from the same values
    return;
  }
  c_.resize({L, N, hidden_});
  for (int64_t l = 0; l < L; ++l) to_c_[l].forward(encoder_final, N, c_.data() + l * NH);
  tanh_inplace(c_.data(), L * NH);
}

void Bridge::forward_mean(int64_t N, const float* memory, const int32_t* lengths) {
  const int64_t M = to_h_.front().in;
  memory_ = memory;
  lengths_ = lengths;
  mean_.resize({N, M});
  mean_.zero();
  for (int64_t n = 0; n < N; ++n) {
    float* m = mean_.data() + n * M;
    const float scale = 1.0f / static_cast<float>(lengths[n]);
    for (int64_t s = 0; s < lengths[n]; ++s) {
      const float* row = memory + (s * N + n) * M;
      for (int64_t i = 0; i < M; ++i) m[i] += row[i];
    }
    for (int64_t i = 0; i < M; ++i) m[i] *= scale;
  }
  forward(N, mean_.data());
}

void Bridge::copy(int64_t N, const float* layer_h, const float* layer_c) {
  N_ = N;
  encoder_final_ = nullptr;
  h_.resize({layers_, N, hidden_});
  std::memcpy(h_.data(), layer_h, sizeof(float) * h_.size());
  if (has_c()) {
    c_.resize({layers_, N, hidden_});
    std::memcpy(c_.data(), layer_c, sizeof(float) * c_.size());
  }
  if (!relu_.empty()) {
    through_relu(relu_[0], h_);
    if (has_c()) through_relu(relu_[1], c_);
  }
}

// states [layers, N, hidden]: sentence n's states of all layers end to end (layer 0's left-to-right
// and right-to-left halves, then layer 1's, ...) are cut in two halves, each goes through
// relu(W x + b), and the result is laid back the same way.
void Bridge::through_relu(const Linear& layer, Tensor& states) {
  const int64_t L = layers_, N = N_, H = hidden_, half = L * H / 2;
  gathered_.resize({2 * N, half});
  through_.resize({2 * N, half});
  for (int64_t l = 0; l < L; ++l)
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(gathered_.data() + n * L * H + l * H, states.data() + (l * N + n) * H,
                  sizeof(float) * static_cast<size_t>(H));
  layer.forward(gathered_.data(), 2 * N, through_.data());
  for (size_t i = 0; i < through_.size(); ++i) through_[i] = std::max(0.0f, through_[i]);
  for (int64_t l = 0; l < L; ++l)
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(states.data() + (l * N + n) * H, through_.data() + n * L * H + l * H,
                  sizeof(float) * static_cast<size_t>(H));
}

void Bridge::backward_mean(const float* dh0, const float* dc0, float* d_memory) {
  const int64_t L = layers_, N = N_, NH = N * hidden_, M = to_h_.front().in;
  // c0 = h0: their gradients add up
  dsum_.resize({L, N, hidden_});
  for (int64_t i = 0; i < L * NH; ++i) dsum_[static_cast<size_t>(i)] = dh0[i] + (dc0 ? dc0[i] : 0);
  d_mean_.resize({N, M});
  backward(dsum_.data(), nullptr, d_mean_.data());
  for (int64_t n = 0; n < N; ++n) {
    const float* dm = d_mean_.data() + n * M;
    const float scale = 1.0f / static_cast<float>(lengths_[n]);
    for (int64_t s = 0; s < lengths_[n]; ++s) {
      float* row = d_memory + (s * N + n) * M;
      for (int64_t i = 0; i < M; ++i) row[i] += scale * dm[i];
    }
  }
}

void Bridge::backward(const float* dh0, const float* dc0, float* dfinal) {
  const float* encoder_final = encoder_final_;
  const int64_t L = static_cast<int64_t>(to_h_.size()), NH = N_ * hidden_;
  dpre_.resize({NH});
  bool first = true;
  auto through = [&](Linear& linear, const float* y, const float* dy) {
    tanh_backward(y, dy, dpre_.data(), NH);
    linear.backward(encoder_final, N_, dpre_.data(), dfinal, !first);
    first = false;
  };
  for (int64_t l = 0; l < L; ++l) {
    through(to_h_[l], h_.data() + l * NH, dh0 + l * NH);
    if (!to_c_.empty()) through(to_c_[l], c_.data() + l * NH, dc0 + l * NH);
  }
}

}  // namespace rnmt
