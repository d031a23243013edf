#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "attention/attention_types.hpp"

#include "core/enum_names.hpp"
#include "core/packed_matmul.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "layers/linear.hpp"

namespace rnmt {

// Luong-style attention over the encoder memory, for decoder states q_t:
//   score(t,s) = q_t·m_s (dot) | q_t·(W_a m_s) (general) | vᵀ tanh(W_q q_t + W_k m_s + b)
//   (additive, Bahdanau's MLP on the current decoder state, of score_hidden units: by default the
//   query's size); scores at source padding are masked
//   out; a_t = softmax(score(t,·)),  c_t = Σ_s a_ts m_s,  out_t = tanh(W_c [c_t; q_t]) (or, with
//   AttentionOutput::linear, OpenNMT-py's W_c [c_t; q_t] + b_c; with AttentionOutput::context, c_t
//   itself, for the conditional decoders).
// With `none`, out_t = q_t. All buffers are time-major [T, N, ·]; forward and backward work on any
// block of rows [t0, t0+rows), so the same code serves whole sequences and input-feeding steps.
class Attention {
 public:
  Attention(ParamSet& params, const std::string& name, AttentionType type, int64_t query,
            int64_t memory, AttentionOutput output = AttentionOutput::tanh,
            int64_t score_hidden = 0);
  void init(Rng& rng);
  // The arithmetic of training (forward and backward): f32, or bf16 in its projections (Linear);
  // the scores and contexts, a few rows per sentence, stay f32.
  void set_training_compute(ComputeType compute);
  AttentionType type() const { return type_; }
  int64_t output_size() const {
    return output_ == AttentionOutput::context ? memory_size_ : query_;
  }

  // memory [S,N,M] (kept by pointer), lengths [N]; prepares T query rows.
  void begin(int64_t S, int64_t N, int64_t T, const float* memory, const int32_t* lengths);
  // query rows [rows, N, Q] (the block starting at t0) -> out [rows, N, output_size()].
  void forward(int64_t t0, int64_t rows, const float* query, float* out);
  // dout [rows,N,out] -> dquery [rows,N,Q] (written). Blocks may come in any order, but every row
  // of [0, T) must be covered before finish_backward().
  void backward(int64_t t0, int64_t rows, const float* dout, float* dquery);
  // After the last block: accumulates the parameter gradients and returns the memory's [S,N,M].
  Tensor& finish_backward();

  // Inference (search): begin_inference takes the memory [S,N,M] of N sentences (kept by
  // pointer: the encoder's) and their lengths (copied); forward_inference then attends for query
  // rows [rows, Q] of which row r belongs to sentence sentence[r] (beams of one sentence share its
  // memory) -> out [rows, output_size()]. `version` is the ParamSet's (the projections keep their
  // weights packed).
  void begin_inference(int64_t S, int64_t N, const float* memory, const int32_t* lengths);
  void forward_inference(int64_t rows, const float* query, const int32_t* sentence, float* out,
                         uint64_t version, ComputeType type = ComputeType::f32);
  // Attention weights [rows, S] of the last forward_inference (zero past each sentence's length);
  // empty for `none`.
  const Tensor& row_weights() const { return row_probs_; }

  // Attention weights [T, N, S] of the last forward (zero at padding); empty for `none`.
  const Tensor& weights() const { return probs_; }

 private:
  const float* keys() const;
  void scores(int64_t t0, int64_t rows, const float* query);
  void additive_backward(int64_t t0, int64_t rows, const float* dscores);

  AttentionType type_;
  AttentionOutput output_;
  int64_t query_, memory_size_, S_ = 0, N_ = 0, T_ = 0;  // Q, M; the sequence's shape
  int64_t key_size_;                        // K: the keys' size (additive: score_hidden; else Q)
  const float* memory_ = nullptr;           // [S, N, M], the caller's (kept alive until backward)
  const int32_t* lengths_ = nullptr;        // [N]: the caller's (training), or
  std::vector<int32_t> inference_lengths_;  // [N] this copy (inference)
  std::unique_ptr<Linear> key_proj_;        // general: W_a; additive: W_k (+ b)
  std::unique_ptr<Linear> query_proj_;      // additive: W_q
  Param* v_ = nullptr;                      // additive
  std::unique_ptr<Linear> out_proj_;        // W_c (not with AttentionOutput::context)
  // Training (whole sequence or blocks of its steps):
  Tensor keys_;          // [S, N, K] projected memory (general, additive; inference too)
  Tensor query_keys_;    // [T, N, K] projected queries (additive)
  Tensor probs_;         // [T, N, S] attention weights
  Tensor context_cat_;   // [T, N, M + Q] [context ; query], the output projection's input
  Tensor out_;           // [T, N, Q] attentional vectors (after tanh)
  Tensor d_memory_;      // [S, N, M]
  Tensor d_keys_;        // [S, N, K]
  Tensor d_scores_;      // [T, N, S]
  Tensor d_pre_;         // [T, N, Q] gradient before the tanh
  Tensor d_cat_;         // [T, N, M + Q]
  Tensor d_query_keys_;  // [T, N, K]
  Tensor dv_partial_;    // [N, K] per-sentence partial sums of v's gradient (additive)
  // Inference:
  Tensor row_probs_;       // [rows, S]
  Tensor row_cat_;         // [rows, M + Q]
  Tensor row_query_keys_;  // [rows, K] (additive)
};

}  // namespace rnmt
