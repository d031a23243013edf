// The conditional decoders (clstm, cgru: Marian's s2s decoder) inside Seq2Seq: the steps, their
// backward, and one search step. Per step t, with y the previous word's embedding:
//   s1 = first cell(y, s_{t-1}),  c_t = attention context for the query s1,
//   s_t = second cell(c_t, s1),   out_t = tanh(W [y; s_t; c_t] + b)  (the deep output layer)
// and out_t goes to the output layer.
#include <cstring>
#include <utility>

#include "core/vec_math.hpp"
#include "model/seq2seq.hpp"

namespace rnmt {
namespace {

// Row r of a [rows, width] block <- [a_r; b_r; c_r] from [rows, A], [rows, B], [rows, C].
void join_rows(int64_t rows, const float* a, int64_t A, const float* b, int64_t B, const float* c,
               int64_t C, float* out) {
  const int64_t width = A + B + C;
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + r * width;
    std::memcpy(o, a + r * A, sizeof(float) * static_cast<size_t>(A));
    std::memcpy(o + A, b + r * B, sizeof(float) * static_cast<size_t>(B));
    std::memcpy(o + A + B, c + r * C, sizeof(float) * static_cast<size_t>(C));
  }
}

}  // namespace

void Seq2Seq::forward_conditional(int64_t T, int64_t N) {
  const int64_t E = config_.embedding, H = config_.decoder_hidden, M = 2 * config_.encoder_hidden,
                NE = N * E, NM = N * M;
  context_.resize({T, N, M});
  conditional_->begin(T, N, bridge_.h0(0), bridge_.c0(0));
  for (int64_t t = 0; t < T; ++t) {
    const float* query;
    {
      ProfileScope scope(profiler_, part_decoder_);
      query = conditional_->forward_first(t, tgt_emb_.data() + t * NE);
    }
    {
      ProfileScope scope(profiler_, part_attention_);
      attention_.forward(t, 1, query, context_.data() + t * NM);
    }
    ProfileScope scope(profiler_, part_decoder_);
    conditional_->forward_second(t, context_.data() + t * NM);
  }
  ProfileScope scope(profiler_, part_output_);
  deep_in_.resize({T, N, E + H + M});
  join_rows(T * N, tgt_emb_.data(), E, conditional_->output(), H, context_.data(), M,
            deep_in_.data());
  deep_output_->forward(deep_in_.data(), T * N, att_.data());
  tanh_inplace(att_.data(), T * N * E);
}

void Seq2Seq::backward_conditional(int64_t T, int64_t N) {
  const int64_t E = config_.embedding, H = config_.decoder_hidden, M = 2 * config_.encoder_hidden,
                W = E + H + M;
  {
    ProfileScope scope(profiler_, part_output_);
    d_deep_pre_.resize({T, N, E});
    tanh_backward(att_.data(), d_out_in_.data(), d_deep_pre_.data(), T * N * E);
    d_deep_in_.resize({T, N, W});
    deep_output_->backward(deep_in_.data(), T * N, d_deep_pre_.data(), d_deep_in_.data(), false);
  }
  d_dec_out_.resize({N, H});
  d_context_t_.resize({N, M});
  d_query_t_.resize({N, H});
  for (int64_t t = T - 1; t >= 0; --t) {
    const float* d_deep = d_deep_in_.data() + t * N * W;  // [N, W]: d [y; s_t; c_t]
    float* d_emb = d_tgt_emb_.data() + t * N * E;
    {
      ProfileScope scope(profiler_, part_decoder_);
      for (int64_t n = 0; n < N; ++n)
        std::memcpy(d_dec_out_.data() + n * H, d_deep + n * W + E,
                    sizeof(float) * static_cast<size_t>(H));
      conditional_->backward_second(t, d_dec_out_.data(), d_context_t_.data());
      for (int64_t n = 0; n < N; ++n) {
        float* dc = d_context_t_.data() + n * M;
        const float* from_deep = d_deep + n * W + E + H;
        for (int64_t i = 0; i < M; ++i) dc[i] += from_deep[i];
      }
    }
    {
      ProfileScope scope(profiler_, part_attention_);
      attention_.backward(t, 1, d_context_t_.data(), d_query_t_.data());
    }
    ProfileScope scope(profiler_, part_decoder_);
    conditional_->backward_first(t, d_query_t_.data(), d_emb);
    for (int64_t n = 0; n < N; ++n) {
      float* de = d_emb + n * E;
      const float* from_deep = d_deep + n * W;
      for (int64_t i = 0; i < E; ++i) de[i] += from_deep[i];
    }
  }
}

void Seq2Seq::step_conditional(DecoderState& state, ComputeType compute) {
  const int64_t P = state.padded_rows, E = config_.embedding, H = config_.decoder_hidden,
                M = 2 * config_.encoder_hidden;
  const bool lstm = bridge_.has_c();
  step_h1_.resize({P, H});
  step_c1_.resize({lstm ? P : 0, H});
  conditional_->first_inference(P, step_in_.data(), state.h.data(), lstm ? state.c.data() : nullptr,
                                step_h1_.data(), lstm ? step_c1_.data() : nullptr, compute);
  step_context_.resize({P, M});
  attention_.forward_inference(P, step_h1_.data(), state.sentence.data(), step_context_.data(),
                               params_.version(), compute);
  state.next_h.resize({1, P, H});
  if (lstm) state.next_c.resize({1, P, H});
  conditional_->second_inference(P, step_context_.data(), step_h1_.data(),
                                 lstm ? step_c1_.data() : nullptr, state.next_h.data(),
                                 lstm ? state.next_c.data() : nullptr, compute);
  std::swap(state.h, state.next_h);
  if (lstm) std::swap(state.c, state.next_c);
  step_deep_in_.resize({P, E + H + M});
  join_rows(P, step_in_.data(), E, state.h.data(), H, step_context_.data(), M,
            step_deep_in_.data());
  state.attentional.resize({P, E});
  deep_output_->forward_inference(step_deep_in_.data(), P, state.attentional.data(),
                                  params_.version(), compute);
  tanh_inplace(state.attentional.data(), P * E);
}

}  // namespace rnmt
