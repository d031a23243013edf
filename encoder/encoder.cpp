#include "encoder/encoder.hpp"

#include <algorithm>
#include <cstring>

namespace rnmt {

void reverse_within_length(int64_t S, int64_t N, int64_t C, const float* in, const int32_t* lengths,
                           float* out) {
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < S; ++t) {
    for (int64_t n = 0; n < N; ++n) {
      float* dst = out + (t * N + n) * C;
      if (t < lengths[n]) {
        std::memcpy(dst, in + ((lengths[n] - 1 - t) * N + n) * C,
                    sizeof(float) * static_cast<size_t>(C));
      } else {
        std::memset(dst, 0, sizeof(float) * static_cast<size_t>(C));
      }
    }
  }
}

Encoder::Encoder(ParamSet& params, const std::string& name, int64_t input, int64_t hidden,
                 int64_t layers, float dropout, bool layer_final_states, Cell cell)
    : hidden_(hidden), layer_final_states_(layer_final_states), cell_(cell) {
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t in = l == 0 ? input : 2 * hidden;
    const std::string prefix = name + ".layer" + std::to_string(l);
    layers_.push_back(Layer{RnnLayer(params, prefix + ".l2r", cell, in, hidden),
                            RnnLayer(params, prefix + ".r2l", cell, in, hidden),
                            Dropout{l == 0 ? 0.0f : dropout, {}},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {}});
  }
}

void Encoder::set_training_compute(ComputeType compute) {
  for (Layer& layer : layers_) {
    layer.forward_dir.set_training_compute(compute);
    layer.backward_dir.set_training_compute(compute);
  }
}

void Encoder::init(Rng& rng) {
  for (auto& layer : layers_) {
    layer.forward_dir.init(rng);
    layer.backward_dir.init(rng);
  }
}

// A direction's training call (zero initial states): forward and backward pass the same buffers.
RnnForward Encoder::forward_call(size_t l, bool right_to_left) {
  Layer& layer = layers_[l];
  if (right_to_left) {
    return {.T = S_,
            .N = N_,
            .x = layer.input_rev.data(),
            .y = layer.y_bwd_rev.data(),
            .cT = layer.c_bwd.data(),
            .workspace = layer.ws_bwd.data()};
  }
  return {.T = S_,
          .N = N_,
          .x = l == 0 ? x_ : layers_[l - 1].out.data(),
          .y = layer.y_fwd.data(),
          .cT = layer.c_fwd.data(),
          .workspace = layer.ws_fwd.data()};
}

void Encoder::forward(int64_t S, int64_t N, const float* x, const int32_t* lengths, Rng& rng,
                      bool training) {
  run(S, N, x, lengths, &rng, training);
}

void Encoder::forward_inference(int64_t S, int64_t N, const float* x, const int32_t* lengths,
                                ComputeType compute) {
  run(S, N, x, lengths, nullptr, false, compute);
}

void Encoder::set_int8_input_bound(float bound) {
  layers_.front().forward_dir.set_int8_input_bound(bound);
  layers_.front().backward_dir.set_int8_input_bound(bound);
}

// Without an rng (inference) the layers run oneDNN's inference primitives and keep no workspace.
void Encoder::run(int64_t S, int64_t N, const float* x, const int32_t* lengths, Rng* rng,
                  bool training, ComputeType compute) {
  const bool for_backward = rng != nullptr;
  S_ = S;
  N_ = N;
  x_ = x;
  lengths_.assign(lengths, lengths + N);
  const int64_t H = hidden_;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    const int64_t C = layer.forward_dir.input();
    // A layer above the first reads the one below through dropout, applied in place: the lower
    // layer's concatenated output is a copy that nothing else reads.
    if (l > 0 && rng) layer.dropout.forward(layers_[l - 1].out.data(), S * N * C, *rng, training);
    const float* input = l == 0 ? x : layers_[l - 1].out.data();
    layer.input_rev.resize({S, N, C});
    reverse_within_length(S, N, C, input, lengths, layer.input_rev.data());
    layer.y_fwd.resize({S, N, H});
    layer.y_bwd_rev.resize({S, N, H});
    float* final_h = nullptr;  // this layer's rows of layer_final_h_ and _c_, when kept
    float* final_c = nullptr;
    if (layer_final_states_) {
      if (l == 0) {
        layer_final_h_.resize({static_cast<int64_t>(layers_.size()), N, 2 * H});
        layer_final_c_.resize({static_cast<int64_t>(layers_.size()), N, 2 * H});
      }
      final_h = layer_final_h_.data() + static_cast<int64_t>(l) * N * 2 * H;
      final_c = layer_final_c_.data() + static_cast<int64_t>(l) * N * 2 * H;
    }
    if (for_backward) {
      layer.ws_fwd.resize({static_cast<int64_t>(layer.forward_dir.workspace_floats(S, N))});
      layer.ws_bwd.resize({static_cast<int64_t>(layer.backward_dir.workspace_floats(S, N))});
      layer.c_fwd.resize({N, H});
      layer.c_bwd.resize({N, H});
      layer.forward_dir.forward(forward_call(l, false));
      layer.backward_dir.forward(forward_call(l, true));
    }
    if (final_h) {
      // Beside a training forward (inspecting a converted model) the stretches' outputs go to a
      // scratch buffer: backward reads the training forward's.
      if (for_backward) stretch_y_.resize({S, N, H});
      run_in_stretches(layer.forward_dir, C, input,
                       for_backward ? stretch_y_.data() : layer.y_fwd.data(), compute, final_h,
                       final_c);
      run_in_stretches(layer.backward_dir, C, layer.input_rev.data(),
                       for_backward ? stretch_y_.data() : layer.y_bwd_rev.data(), compute,
                       final_h + H, final_c + H);
    } else if (!for_backward) {  // search: no backward follows, so inference primitives and no
                                 // workspace
      layer.forward_dir.forward_inference({.T = S, .N = N, .x = input, .y = layer.y_fwd.data()},
                                          compute);
      layer.backward_dir.forward_inference(
          {.T = S, .N = N, .x = layer.input_rev.data(), .y = layer.y_bwd_rev.data()}, compute);
    }
    // out = [y_fwd ; reverse(y_bwd_rev)], zero at padding.
    layer.out.resize({S, N, 2 * H});
    float* out = layer.out.data();
    const float* yf = layer.y_fwd.data();
    const float* yb = layer.y_bwd_rev.data();
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < S; ++t) {
      for (int64_t n = 0; n < N; ++n) {
        float* o = out + (t * N + n) * 2 * H;
        if (t < lengths[n]) {
          std::memcpy(o, yf + (t * N + n) * H, sizeof(float) * static_cast<size_t>(H));
          std::memcpy(o + H, yb + ((lengths[n] - 1 - t) * N + n) * H,
                      sizeof(float) * static_cast<size_t>(H));
        } else {
          std::memset(o, 0, sizeof(float) * static_cast<size_t>(2 * H));
        }
      }
    }
  }
  final_.resize({N, 2 * H});
  const float* out = layers_.back().out.data();
  for (int64_t n = 0; n < N; ++n) {
    std::memcpy(final_.data() + n * 2 * H, out + ((lengths[n] - 1) * N + n) * 2 * H,
                sizeof(float) * static_cast<size_t>(H));
    std::memcpy(final_.data() + n * 2 * H + H, out + n * 2 * H + H,
                sizeof(float) * static_cast<size_t>(H));
  }
}

void Encoder::backward(const float* dmemory, const float* dfinal, float* dx) {
  const int64_t S = S_, N = N_, H = hidden_;
  const int32_t* lengths = lengths_.data();
  d_out_.resize({S, N, 2 * H});
  std::memcpy(d_out_.data(), dmemory, sizeof(float) * d_out_.size());
  for (int64_t n = 0; n < N; ++n) {
    float* last = d_out_.data() + ((lengths[n] - 1) * N + n) * 2 * H;
    float* first = d_out_.data() + n * 2 * H + H;
    for (int64_t j = 0; j < H; ++j) {
      last[j] += dfinal[n * 2 * H + j];
      first[j] += dfinal[n * 2 * H + H + j];
    }
  }
  for (size_t l = layers_.size(); l-- > 0;) {
    Layer& layer = layers_[l];
    const int64_t C = layer.forward_dir.input();
    // Split the output gradient into the two directions, the right-to-left one reversed; padding
    // positions get zero so they contribute nothing.
    d_fwd_.resize({S, N, H});
    d_bwd_rev_.resize({S, N, H});
    const float* d = d_out_.data();
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < S; ++t) {
      for (int64_t n = 0; n < N; ++n) {
        float* df = d_fwd_.data() + (t * N + n) * H;
        float* db = d_bwd_rev_.data() + (t * N + n) * H;
        if (t < lengths[n]) {
          std::memcpy(df, d + (t * N + n) * 2 * H, sizeof(float) * static_cast<size_t>(H));
          std::memcpy(db, d + ((lengths[n] - 1 - t) * N + n) * 2 * H + H,
                      sizeof(float) * static_cast<size_t>(H));
        } else {
          std::memset(df, 0, sizeof(float) * static_cast<size_t>(H));
          std::memset(db, 0, sizeof(float) * static_cast<size_t>(H));
        }
      }
    }
    dx_fwd_.resize({S, N, C});
    dx_bwd_rev_.resize({S, N, C});
    // Both directions start from zero states, so no gradient leaves through them.
    layer.forward_dir.backward(
        {.forward = forward_call(l, false), .dy = d_fwd_.data(), .dx = dx_fwd_.data()});
    layer.backward_dir.backward(
        {.forward = forward_call(l, true), .dy = d_bwd_rev_.data(), .dx = dx_bwd_rev_.data()});
    // d_input = dx_fwd + unreverse(dx_bwd_rev); it becomes the layer below's output gradient.
    float* d_input = l == 0 ? dx : d_out_.data();
    const float* dxf = dx_fwd_.data();
    const float* dxb = dx_bwd_rev_.data();
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < S; ++t) {
      for (int64_t n = 0; n < N; ++n) {
        float* o = d_input + (t * N + n) * C;
        const float* f = dxf + (t * N + n) * C;
        if (t < lengths[n]) {
          const float* b = dxb + ((lengths[n] - 1 - t) * N + n) * C;
          for (int64_t j = 0; j < C; ++j) o[j] = f[j] + b[j];
        } else {
          std::memset(o, 0, sizeof(float) * static_cast<size_t>(C));
        }
      }
    }
    if (l > 0) layer.dropout.backward(d_input, S * N * C);
  }
}

// A direction's states at each sentence's own last step. oneDNN gives the states after the batch's
// last step only, and a padded sentence ends before it: so the direction runs in stretches that
// end where sentences end, each starting from the states the one before left, and a sentence's
// states are read off the stretch it ends with. final_h, final_c: rows of 2H, this direction's
// half.
void Encoder::run_in_stretches(RnnLayer& direction, int64_t input, const float* x, float* y,
                               ComputeType compute, float* final_h, float* final_c) {
  const int64_t N = N_, H = hidden_;
  const bool lstm = cell_ == Cell::lstm;  // a GRU has no cell state
  stretch_ends_.assign(lengths_.begin(), lengths_.end());
  std::sort(stretch_ends_.begin(), stretch_ends_.end());
  stretch_ends_.erase(std::unique(stretch_ends_.begin(), stretch_ends_.end()), stretch_ends_.end());
  for (auto& t : carry_h_) t.resize({N, H});
  for (auto& t : carry_c_) t.resize({N, H});
  int64_t begin = 0;
  int now = 0;  // which carry the stretch writes; it reads the other
  for (const int32_t end : stretch_ends_) {
    float* h = carry_h_[now].data();
    float* c = carry_c_[now].data();
    direction.forward_inference({.T = end - begin,
                                 .N = N,
                                 .x = x + begin * N * input,
                                 .h0 = begin > 0 ? carry_h_[1 - now].data() : nullptr,
                                 .c0 = lstm && begin > 0 ? carry_c_[1 - now].data() : nullptr,
                                 .y = y + begin * N * H,
                                 .hT = h,
                                 .cT = lstm ? c : nullptr},
                                compute);
    for (int64_t n = 0; n < N; ++n) {
      if (lengths_[static_cast<size_t>(n)] != end) continue;
      std::memcpy(final_h + n * 2 * H, h + n * H, sizeof(float) * static_cast<size_t>(H));
      if (lstm) std::memcpy(final_c + n * 2 * H, c + n * H, sizeof(float) * static_cast<size_t>(H));
    }
    begin = end;
    now = 1 - now;
  }
}

}  // namespace rnmt
