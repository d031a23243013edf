#include "decoder/decoder.hpp"

#include <cstring>
#include <utility>

namespace rnmt {

Decoder::Decoder(ParamSet& params, const std::string& name, Cell cell, int64_t input,
                 int64_t hidden, int64_t layers, float dropout)
    : hidden_(hidden) {
  for (int64_t l = 0; l < layers; ++l) {
    layers_.push_back(Layer{RnnLayer(params, name + ".layer" + std::to_string(l), cell,
                                     l == 0 ? input : hidden, hidden),
                            Dropout{l == 0 ? 0.0f : dropout, {}},
                            {},
                            {},
                            {},
                            {},
                            0,
                            {},
                            {},
                            {},
                            {},
                            {}});
  }
}

void Decoder::set_training_compute(ComputeType compute) {
  for (Layer& layer : layers_) layer.rnn.set_training_compute(compute);
}

void Decoder::init(Rng& rng) {
  for (auto& layer : layers_) layer.rnn.init(rng);
}

void Decoder::begin(int64_t T, int64_t N, const float* h0, const float* c0, Rng& rng, bool training,
                    bool stepwise) {
  T_ = T;
  N_ = N;
  h0_ = h0;
  c0_ = c0;
  stepwise_ = stepwise;
  x_steps_.assign(static_cast<size_t>(T), nullptr);
  const int64_t H = hidden_;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    layer.y.resize({T, N, H});
    if (l > 0) {
      layer.dropout.sample(T * N * H, rng, training);
      if (layer.dropout.active()) layer.x.resize({T, N, H});
    }
    if (stepwise) {
      layer.ws_step = layer.rnn.workspace_floats(1, N);
      layer.workspace.resize({T * static_cast<int64_t>(layer.ws_step)});
      if (cell() == Cell::lstm) layer.c.resize({T, N, H});
    } else {
      layer.workspace.resize({static_cast<int64_t>(layer.rnn.workspace_floats(T, N))});
      if (cell() == Cell::lstm) layer.c.resize({N, H});
    }
  }
}

// The input layer l reads at time offset `offset` (in floats of a [T,N,H] buffer): the layer
// below's output, through this layer's dropout when active.
const float* Decoder::layer_input(size_t l, const float* x, int64_t offset) const {
  if (l == 0) return x;
  const Layer& layer = layers_[l];
  return (layer.dropout.active() ? layer.x.data() : layers_[l - 1].y.data()) + offset;
}

const float* Decoder::state_before(const Tensor& states, const float* initial, int64_t t) const {
  return t == 0 ? initial : states.data() + (t - 1) * N_ * hidden_;
}

RnnForward Decoder::sequence_call(size_t l) {
  Layer& layer = layers_[l];
  const int64_t NH = N_ * hidden_, li = static_cast<int64_t>(l);
  const bool lstm = cell() == Cell::lstm;
  return {.T = T_,
          .N = N_,
          .x = layer_input(l, x_, 0),
          .h0 = h0_ + li * NH,
          .c0 = c0_ ? c0_ + li * NH : nullptr,
          .y = layer.y.data(),
          .cT = lstm ? layer.c.data() : nullptr,
          .workspace = layer.workspace.data()};
}

RnnForward Decoder::step_call(size_t l, int64_t t) {
  Layer& layer = layers_[l];
  const int64_t NH = N_ * hidden_, li = static_cast<int64_t>(l);
  const bool lstm = cell() == Cell::lstm;
  return {.T = 1,
          .N = N_,
          .x = layer_input(l, x_steps_[static_cast<size_t>(t)], t * NH),
          .h0 = state_before(layer.y, h0_ + li * NH, t),
          .c0 = lstm ? state_before(layer.c, c0_ + li * NH, t) : nullptr,
          .y = layer.y.data() + t * NH,
          .cT = lstm ? layer.c.data() + t * NH : nullptr,
          .workspace = layer.workspace.data() + t * static_cast<int64_t>(layer.ws_step)};
}

void Decoder::forward(const float* x) {
  x_ = x;
  const int64_t T = T_, N = N_, NH = N * hidden_;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    if (l > 0 && layer.dropout.active()) {
      std::memcpy(layer.x.data(), layers_[l - 1].y.data(), sizeof(float) * layer.x.size());
      layer.dropout.apply(layer.x.data(), T * NH);
    }
    layer.rnn.forward(sequence_call(l));
  }
}

void Decoder::forward_step(int64_t t, const float* x_t) {
  x_steps_[static_cast<size_t>(t)] = x_t;
  const int64_t NH = N_ * hidden_;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    if (l > 0 && layer.dropout.active()) {
      std::memcpy(layer.x.data() + t * NH, layers_[l - 1].y.data() + t * NH, sizeof(float) * NH);
      layer.dropout.apply(layer.x.data() + t * NH, NH, t * NH);
    }
    layer.rnn.forward(step_call(l, t));
  }
}

void Decoder::forward_inference(int64_t rows, const float* x, const float* h, const float* c,
                                float* h_next, float* c_next, ComputeType compute) {
  const int64_t NH = rows * hidden_;
  const bool lstm = cell() == Cell::lstm;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const int64_t offset = static_cast<int64_t>(l) * NH;
    layers_[l].rnn.forward_inference({.T = 1,
                                      .N = rows,
                                      .x = l == 0 ? x : h_next + offset - NH,
                                      .h0 = h + offset,
                                      .c0 = lstm ? c + offset : nullptr,
                                      .y = h_next + offset,
                                      .cT = lstm ? c_next + offset : nullptr},
                                     compute);
  }
}

void Decoder::backward(const float* d_output, float* dx) {
  const int64_t T = T_, N = N_, NH = N * hidden_, L = num_layers();
  d_h0_.resize({L, N, hidden_});
  d_c0_.resize({L, N, hidden_});
  const float* dy = d_output;
  for (size_t l = layers_.size(); l-- > 0;) {
    Layer& layer = layers_[l];
    const int64_t li = static_cast<int64_t>(l);
    float* d_in = dx;
    if (l > 0) {
      layers_[l - 1].dy.resize({T, N, hidden_});
      d_in = layers_[l - 1].dy.data();
    }
    layer.rnn.backward({.forward = sequence_call(l),
                        .dy = dy,
                        .dx = d_in,
                        .dh0 = d_h0_.data() + li * NH,
                        .dc0 = c0_ ? d_c0_.data() + li * NH : nullptr});
    if (l > 0) layer.dropout.backward(d_in, T * NH);
    dy = d_in;
  }
}

void Decoder::backward_step(int64_t t, const float* d_output_t, float* dx_t) {
  const int64_t N = N_, NH = N * hidden_, L = num_layers();
  const bool lstm = cell() == Cell::lstm;
  if (t == T_ - 1) {
    d_h0_.resize({L, N, hidden_});
    d_c0_.resize({L, N, hidden_});
    for (auto& layer : layers_) {
      for (Tensor* carry : {&layer.dh, &layer.dh_next, &layer.dc, &layer.dc_next}) {
        carry->resize({N, hidden_});
        carry->zero();
      }
    }
  }
  const float* dy = d_output_t;
  for (size_t l = layers_.size(); l-- > 0;) {
    Layer& layer = layers_[l];
    const int64_t li = static_cast<int64_t>(l);
    float* d_in = dx_t;
    if (l > 0) {
      layers_[l - 1].dy.resize({N, hidden_});
      d_in = layers_[l - 1].dy.data();
    }
    // dh/dc carry the gradient arriving from step t+1; the step writes the one for step t-1 (or,
    // at t = 0, for the initial states).
    float* dh_prev = t == 0 ? d_h0_.data() + li * NH : layer.dh_next.data();
    float* dc_prev = t == 0 ? d_c0_.data() + li * NH : layer.dc_next.data();
    layer.rnn.backward({.forward = step_call(l, t),
                        .dy = dy,
                        .dhT = layer.dh.data(),
                        .dcT = lstm ? layer.dc.data() : nullptr,
                        .dx = d_in,
                        .dh0 = dh_prev,
                        .dc0 = lstm ? dc_prev : nullptr});
    if (l > 0) layer.dropout.backward(d_in, NH, t * NH);
    std::swap(layer.dh, layer.dh_next);
    std::swap(layer.dc, layer.dc_next);
    dy = d_in;
  }
}

}  // namespace rnmt
