#include "decoder/conditional_decoder.hpp"

namespace rnmt {

ConditionalDecoder::ConditionalDecoder(ParamSet& params, const std::string& name, Cell cell,
                                       int64_t input, int64_t context, int64_t hidden)
    : first_(params, name + ".first", cell, input, hidden),
      second_(params, name + ".second", cell, context, hidden),
      hidden_(hidden) {}

void ConditionalDecoder::set_training_compute(ComputeType compute) {
  first_.set_training_compute(compute);
  second_.set_training_compute(compute);
}

void ConditionalDecoder::init(Rng& rng) {
  first_.init(rng);
  second_.init(rng);
}

void ConditionalDecoder::begin(int64_t T, int64_t N, const float* h0, const float* c0) {
  T_ = T;
  N_ = N;
  h0_ = h0;
  c0_ = c0;
  x_.assign(static_cast<size_t>(T), nullptr);
  context_.assign(static_cast<size_t>(T), nullptr);
  const bool lstm = cell() == Cell::lstm;
  for (Tensor* states : {&s1_, &s_}) states->resize({T, N, hidden_});
  for (Tensor* states : {&c1_, &c_}) states->resize({lstm ? T : 0, N, hidden_});
  ws1_step_ = first_.workspace_floats(1, N);
  ws2_step_ = second_.workspace_floats(1, N);
  workspace1_.resize({T * static_cast<int64_t>(ws1_step_)});
  workspace2_.resize({T * static_cast<int64_t>(ws2_step_)});
}

RnnForward ConditionalDecoder::first_call(int64_t t) {
  const int64_t NH = N_ * hidden_;
  const bool lstm = cell() == Cell::lstm;
  return {.T = 1,
          .N = N_,
          .x = x_[static_cast<size_t>(t)],
          .h0 = t == 0 ? h0_ : s_.data() + (t - 1) * NH,
          .c0 = lstm ? (t == 0 ? c0_ : c_.data() + (t - 1) * NH) : nullptr,
          .y = s1_.data() + t * NH,
          .cT = lstm ? c1_.data() + t * NH : nullptr,
          .workspace = workspace1_.data() + t * static_cast<int64_t>(ws1_step_)};
}

RnnForward ConditionalDecoder::second_call(int64_t t) {
  const int64_t NH = N_ * hidden_;
  const bool lstm = cell() == Cell::lstm;
  return {.T = 1,
          .N = N_,
          .x = context_[static_cast<size_t>(t)],
          .h0 = s1_.data() + t * NH,
          .c0 = lstm ? c1_.data() + t * NH : nullptr,
          .y = s_.data() + t * NH,
          .cT = lstm ? c_.data() + t * NH : nullptr,
          .workspace = workspace2_.data() + t * static_cast<int64_t>(ws2_step_)};
}

const float* ConditionalDecoder::forward_first(int64_t t, const float* x_t) {
  x_[static_cast<size_t>(t)] = x_t;
  first_.forward(first_call(t));
  return s1_.data() + t * N_ * hidden_;
}

void ConditionalDecoder::forward_second(int64_t t, const float* context_t) {
  context_[static_cast<size_t>(t)] = context_t;
  second_.forward(second_call(t));
}

void ConditionalDecoder::backward_second(int64_t t, const float* d_output_t, float* d_context_t) {
  const bool lstm = cell() == Cell::lstm;
  if (t == T_ - 1) {
    for (Tensor* carry : {&dh_, &dc_, &d_s1_, &d_c1_, &d_query_, &d_h0_, &d_c0_}) {
      carry->resize({N_, hidden_});
      carry->zero();
    }
  }
  // dh_, dc_ hold the gradient reaching s_t, c_t from step t+1's first cell (zero at the end)
  second_.backward({.forward = second_call(t),
                    .dy = d_output_t,
                    .dhT = dh_.data(),
                    .dcT = lstm ? dc_.data() : nullptr,
                    .dx = d_context_t,
                    .dh0 = d_s1_.data(),
                    .dc0 = lstm ? d_c1_.data() : nullptr});
}

void ConditionalDecoder::backward_first(int64_t t, const float* d_query_t, float* dx_t) {
  const bool lstm = cell() == Cell::lstm;
  const int64_t NH = N_ * hidden_;
  for (int64_t i = 0; i < NH; ++i) d_query_.data()[i] = d_query_t[i] + d_s1_.data()[i];
  // the gradient of the state before step t: step t-1's output, or the initial state
  first_.backward({.forward = first_call(t),
                   .dy = d_query_.data(),
                   .dcT = lstm ? d_c1_.data() : nullptr,
                   .dx = dx_t,
                   .dh0 = t == 0 ? d_h0_.data() : dh_.data(),
                   .dc0 = lstm ? (t == 0 ? d_c0_.data() : dc_.data()) : nullptr});
}

namespace {

// One inference step of `cell` for `rows` rows: x, the state h, c -> h_out, c_out (c: LSTM only).
void step_inference(RnnLayer& cell, int64_t rows, const float* x, const float* h, const float* c,
                    float* h_out, float* c_out, ComputeType compute) {
  const bool lstm = cell.cell() == Cell::lstm;
  cell.forward_inference({.T = 1,
                          .N = rows,
                          .x = x,
                          .h0 = h,
                          .c0 = lstm ? c : nullptr,
                          .y = h_out,
                          .cT = lstm ? c_out : nullptr},
                         compute);
}

}  // namespace

void ConditionalDecoder::first_inference(int64_t rows, const float* x, const float* h,
                                         const float* c, float* h1, float* c1,
                                         ComputeType compute) {
  step_inference(first_, rows, x, h, c, h1, c1, compute);
}

void ConditionalDecoder::second_inference(int64_t rows, const float* context, const float* h1,
                                          const float* c1, float* h_next, float* c_next,
                                          ComputeType compute) {
  step_inference(second_, rows, context, h1, c1, h_next, c_next, compute);
}

}  // namespace rnmt
