#include "attention/attention.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/matmul.hpp"
#include "core/vec_math.hpp"

namespace rnmt {

namespace {

// Softmax over a row's first len scores; the S - len padding positions get weight 0.
void masked_softmax(float* row, int64_t len, int64_t S) {
  float max = row[0];
#pragma omp simd reduction(max : max)
  for (int64_t s = 1; s < len; ++s) max = std::max(max, row[s]);
  float sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t s = 0; s < len; ++s) {
    row[s] = fast_exp(row[s] - max);
    sum += row[s];
  }
  const float inv = 1.0f / sum;
  for (int64_t s = 0; s < len; ++s) row[s] *= inv;
  for (int64_t s = len; s < S; ++s) row[s] = 0;
}

}  // namespace

Attention::Attention(ParamSet& params, const std::string& name, AttentionType type, int64_t query,
                     int64_t memory, AttentionOutput output, int64_t score_hidden)
    : type_(type),
      output_(output),
      query_(query),
      memory_size_(memory),
      key_size_(type == AttentionType::additive && score_hidden > 0 ? score_hidden : query) {
  if (type == AttentionType::none) return;
  if (type == AttentionType::dot && query != memory) {
    throw Error("dot attention needs the decoder state size (" + std::to_string(query) +
                ") to equal the encoder output size (" + std::to_string(memory) + ")");
  }
  if (type == AttentionType::general) {
    key_proj_ = std::make_unique<Linear>(params, name + ".W_a", memory, query, false);
  }
  if (type == AttentionType::additive) {
    key_proj_ = std::make_unique<Linear>(params, name + ".W_k", memory, key_size_, true);
    query_proj_ = std::make_unique<Linear>(params, name + ".W_q", query, key_size_, false);
    v_ = &params.add(name + ".v", {key_size_});
  }
  if (output != AttentionOutput::context) {
    out_proj_ = std::make_unique<Linear>(params, name + ".W_c", memory + query, query,
                                         output == AttentionOutput::linear);
  }
}

void Attention::set_training_compute(ComputeType compute) {
  for (Linear* projection : {key_proj_.get(), query_proj_.get(), out_proj_.get()})
    if (projection) projection->training_compute = compute;
}

void Attention::init(Rng& rng) {
  if (key_proj_) key_proj_->init(rng);
  if (query_proj_) query_proj_->init(rng);
  if (v_) init_uniform(v_->w, key_size_, 1.0f / std::sqrt(static_cast<float>(key_size_)), rng);
  if (out_proj_) out_proj_->init(rng);
}

const float* Attention::keys() const {
  return type_ == AttentionType::dot ? memory_ : keys_.data();
}

void Attention::begin(int64_t S, int64_t N, int64_t T, const float* memory,
                      const int32_t* lengths) {
  S_ = S;
  N_ = N;
  T_ = T;
  memory_ = memory;
  lengths_ = lengths;
  const int64_t M = memory_size_, Q = query_;
  d_memory_.resize({S, N, M});
  d_memory_.zero();
  if (type_ == AttentionType::none) return;
  probs_.resize({T, N, S});
  context_cat_.resize({T, N, M + Q});
  if (out_proj_) {
    out_.resize({T, N, Q});
    d_pre_.resize({T, N, Q});
  }
  d_cat_.resize({T, N, M + Q});
  d_scores_.resize({T, N, S});
  if (key_proj_) {
    keys_.resize({S, N, key_size_});
    key_proj_->forward(memory, S * N, keys_.data());
    d_keys_.resize({S, N, key_size_});
    d_keys_.zero();
  }
  if (type_ == AttentionType::additive) {
    query_keys_.resize({T, N, key_size_});
    d_query_keys_.resize({T, N, key_size_});
  }
}

void Attention::begin_inference(int64_t S, int64_t N, const float* memory, const int32_t* lengths) {
  S_ = S;
  N_ = N;
  memory_ = memory;
  // A copy: decoding steps come long after the caller's batch may be gone.
  inference_lengths_.assign(lengths, lengths + N);
  lengths_ = inference_lengths_.data();
  if (key_proj_) {
    keys_.resize({S, N, key_size_});
    key_proj_->forward(memory, S * N, keys_.data());
  }
}

void Attention::forward_inference(int64_t rows, const float* query, const int32_t* sentence,
                                  float* out, uint64_t version, ComputeType type) {
  const int64_t S = S_, N = N_, Q = query_, M = memory_size_, C = M + Q, K = key_size_;
  if (type_ == AttentionType::none) {
    std::memcpy(out, query, sizeof(float) * static_cast<size_t>(rows * Q));
    return;
  }
  row_probs_.resize({rows, S});
  row_cat_.resize({rows, C});
  const bool additive = type_ == AttentionType::additive;
  if (additive) {
    row_query_keys_.resize({rows, K});
    query_proj_->forward_inference(query, rows, row_query_keys_.data(), version, type);
  }
  const float* k = keys();
  const float* v = additive ? v_->w : nullptr;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = sentence[r], len = lengths_[n];
    float* p = row_probs_.data() + r * S;
    const float* q = additive ? row_query_keys_.data() + r * K : query + r * Q;
    for (int64_t s = 0; s < len; ++s) {
      const float* ks = k + (s * N + n) * K;
      float e = 0;
      if (additive) {
#pragma omp simd reduction(+ : e)
        for (int64_t a = 0; a < K; ++a) e += v[a] * fast_tanh(q[a] + ks[a]);
      } else {
#pragma omp simd reduction(+ : e)
        for (int64_t a = 0; a < K; ++a) e += q[a] * ks[a];
      }
      p[s] = e;
    }
    masked_softmax(p, len, S);
    // [context; query]: the context is the weighted sum of the sentence's memory rows
    float* cat = row_cat_.data() + r * C;
    std::fill(cat, cat + M, 0.0f);
    for (int64_t s = 0; s < len; ++s) {
      const float* m = memory_ + (s * N + n) * M;
      const float w = p[s];
#pragma omp simd
      for (int64_t a = 0; a < M; ++a) cat[a] += w * m[a];
    }
    std::memcpy(cat + M, query + r * Q, sizeof(float) * static_cast<size_t>(Q));
  }
  if (!out_proj_) {  // the context itself
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(out + r * M, row_cat_.data() + r * C, sizeof(float) * static_cast<size_t>(M));
    return;
  }
  out_proj_->forward_inference(row_cat_.data(), rows, out, version, type);
  if (output_ == AttentionOutput::tanh) tanh_inplace(out, rows * Q);
}

// Raw scores of rows [t0, t0+rows) into probs_, then the masked softmax over source positions.
void Attention::scores(int64_t t0, int64_t rows, const float* query) {
  const int64_t S = S_, N = N_, Q = query_, K = key_size_;
  float* p = probs_.data() + t0 * N * S;
  if (type_ == AttentionType::additive) {
    float* qk = query_keys_.data() + t0 * N * K;
    query_proj_->forward(query, rows * N, qk);
    const float* k = keys_.data();
    const float* v = v_->w;
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t t = 0; t < rows; ++t) {
        const float* q = qk + (t * N + n) * K;
        for (int64_t s = 0; s < lengths_[n]; ++s) {
          const float* ks = k + (s * N + n) * K;
          float e = 0;
#pragma omp simd reduction(+ : e)
          for (int64_t a = 0; a < K; ++a) e += v[a] * fast_tanh(q[a] + ks[a]);
          p[(t * N + n) * S + s] = e;
        }
      }
    }
  } else {
    GemmShape g{.batch = N, .m = rows, .n = S, .k = Q};
    g.a_batch = Q, g.a_row = N * Q, g.a_col = 1;
    g.b_batch = Q, g.b_row = 1, g.b_col = N * Q;
    g.c_batch = S, g.c_row = N * S;
    matmul(g, query, keys(), p);
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows * N; ++r) {
    float* row = p + r * S;
    const int64_t len = lengths_[r % N];
    masked_softmax(row, len, S);
  }
}

void Attention::forward(int64_t t0, int64_t rows, const float* query, float* out) {
  const int64_t S = S_, N = N_, Q = query_, M = memory_size_, C = M + Q;
  if (type_ == AttentionType::none) {
    std::memcpy(out, query, sizeof(float) * static_cast<size_t>(rows * N * Q));
    return;
  }
  scores(t0, rows, query);
  // context into the first M columns of [context; query]
  float* cat = context_cat_.data() + t0 * N * C;
  GemmShape g{.batch = N, .m = rows, .n = M, .k = S};
  g.a_batch = S, g.a_row = N * S, g.a_col = 1;
  g.b_batch = M, g.b_row = N * M, g.b_col = 1;
  g.c_batch = C, g.c_row = N * C;
  matmul(g, probs_.data() + t0 * N * S, memory_, cat);
  for (int64_t r = 0; r < rows * N; ++r) {
    std::memcpy(cat + r * C + M, query + r * Q, sizeof(float) * static_cast<size_t>(Q));
  }
  if (!out_proj_) {  // the context itself
    for (int64_t r = 0; r < rows * N; ++r)
      std::memcpy(out + r * M, cat + r * C, sizeof(float) * static_cast<size_t>(M));
    return;
  }
  float* o = out_.data() + t0 * N * Q;
  out_proj_->forward(cat, rows * N, o);
  if (output_ == AttentionOutput::tanh) tanh_inplace(o, rows * N * Q);
  std::memcpy(out, o, sizeof(float) * static_cast<size_t>(rows * N * Q));
}

// Backward for a block of rows computes only what the recurrence needs now, the query gradient;
// the block's intermediate gradients are kept so that finish_backward() can form every parameter
// and memory gradient as one product over all rows (input feeding would otherwise run them once
// per step, as products of depth 1 or N).
void Attention::backward(int64_t t0, int64_t rows, const float* dout, float* dquery) {
  const int64_t S = S_, N = N_, Q = query_, M = memory_size_, C = M + Q, R = rows * N;
  if (type_ == AttentionType::none) {
    std::memcpy(dquery, dout, sizeof(float) * static_cast<size_t>(R * Q));
    return;
  }
  float* d_cat = d_cat_.data() + t0 * N * C;
  if (!out_proj_) {
    // the output is the context: d [context; query] = [dout; 0] (the query reaches the output only
    // through the scores)
    for (int64_t r = 0; r < R; ++r) {
      std::memcpy(d_cat + r * C, dout + r * M, sizeof(float) * static_cast<size_t>(M));
      std::fill(d_cat + r * C + M, d_cat + (r + 1) * C, 0.0f);
    }
  } else {
    float* d_pre = d_pre_.data() + t0 * N * Q;
    if (output_ == AttentionOutput::tanh) {
      tanh_backward(out_.data() + t0 * N * Q, dout, d_pre, R * Q);
    } else {
      std::memcpy(d_pre, dout, sizeof(float) * static_cast<size_t>(R * Q));
    }
    out_proj_->backward_input(d_pre, R, d_cat, false);
  }
  for (int64_t r = 0; r < R; ++r) {
    std::memcpy(dquery + r * Q, d_cat + r * C + M, sizeof(float) * static_cast<size_t>(Q));
  }
  // d probs = d context · memoryᵀ, then the softmax backward: d score = p ⊙ (d p - Σ p·d p)
  float* ds = d_scores_.data() + t0 * N * S;
  GemmShape g{.batch = N, .m = rows, .n = S, .k = M};
  g.a_batch = C, g.a_row = N * C, g.a_col = 1;
  g.b_batch = M, g.b_row = 1, g.b_col = N * M;
  g.c_batch = S, g.c_row = N * S;
  matmul(g, d_cat, memory_, ds);
  const float* probs = probs_.data() + t0 * N * S;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < R; ++r) {
    const float* p = probs + r * S;
    float* d = ds + r * S;
    float dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int64_t s = 0; s < S; ++s) dot += p[s] * d[s];
    for (int64_t s = 0; s < S; ++s) d[s] = p[s] * (d[s] - dot);
  }
  if (type_ == AttentionType::additive) {
    additive_backward(t0, rows, ds);
    query_proj_->backward_input(d_query_keys_.data() + t0 * N * key_size_, R, dquery, true);
    return;
  }
  // d query += d scores · keys
  GemmShape gq{.batch = N, .m = rows, .n = Q, .k = S};
  gq.a_batch = S, gq.a_row = N * S, gq.a_col = 1;
  gq.b_batch = Q, gq.b_row = N * Q, gq.b_col = 1;
  gq.c_batch = Q, gq.c_row = N * Q, gq.accumulate = 1;
  matmul(gq, ds, keys(), dquery);
}

void Attention::additive_backward(int64_t t0, int64_t rows, const float* dscores) {
  const int64_t S = S_, N = N_, K = key_size_;
  const float* qk = query_keys_.data() + t0 * N * K;
  float* dqk = d_query_keys_.data() + t0 * N * K;
  const float* k = keys_.data();
  const float* v = v_->w;
  float* dk = d_keys_.data();
  dv_partial_.resize({N, K});
  dv_partial_.zero();
  float* dvp_all = dv_partial_.data();
  // Rows n are independent in every buffer written here, so threads split the batch.
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    float* dvp = dvp_all + n * K;
    for (int64_t t = 0; t < rows; ++t) {
      const float* q = qk + (t * N + n) * K;
      float* dq = dqk + (t * N + n) * K;
      std::fill(dq, dq + K, 0.0f);
      for (int64_t s = 0; s < lengths_[n]; ++s) {
        const float g = dscores[(t * N + n) * S + s];
        const float* ks = k + (s * N + n) * K;
        float* dks = dk + (s * N + n) * K;
        for (int64_t a = 0; a < K; ++a) {
          const float th = fast_tanh(q[a] + ks[a]);
          const float dz = g * v[a] * (1.0f - th * th);
          dvp[a] += g * th;
          dq[a] += dz;
          dks[a] += dz;
        }
      }
    }
  }
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t a = 0; a < K; ++a) v_->g[a] += dvp_all[n * K + a];
  }
}

Tensor& Attention::finish_backward() {
  if (type_ == AttentionType::none) return d_memory_;
  const int64_t S = S_, N = N_, T = T_, Q = query_, M = memory_size_, C = M + Q, K = key_size_;
  const float* cat = context_cat_.data();
  const float* queries = cat + M;  // the query is the last Q columns of [context; query]
  if (out_proj_) out_proj_->backward_params(cat, T * N, d_pre_.data());
  // d memory += probsᵀ · d context, per sentence over all T rows
  GemmShape gm{.batch = N, .m = S, .n = M, .k = T};
  gm.a_batch = S, gm.a_row = 1, gm.a_col = N * S;
  gm.b_batch = C, gm.b_row = N * C, gm.b_col = 1;
  gm.c_batch = M, gm.c_row = N * M, gm.accumulate = 1;
  matmul(gm, probs_.data(), d_cat_.data(), d_memory_.data());
  if (type_ == AttentionType::additive) {
    // d W_q += d (W_q q)ᵀ · q
    gemm({.m = K,
          .n = Q,
          .k = T * N,
          .a = {d_query_keys_.data(), K, true},
          .b = {queries, C},
          .c = query_proj_->weight->g,
          .ldc = Q,
          .accumulate = true});
  } else {
    // d keys += d scoresᵀ · queries
    GemmShape gk{.batch = N, .m = S, .n = Q, .k = T};
    gk.a_batch = S, gk.a_row = 1, gk.a_col = N * S;
    gk.b_batch = C, gk.b_row = N * C, gk.b_col = 1;
    gk.c_batch = Q, gk.c_row = N * Q, gk.accumulate = 1;
    matmul(gk, d_scores_.data(), queries,
           type_ == AttentionType::dot ? d_memory_.data() : d_keys_.data());
  }
  if (key_proj_) key_proj_->backward(memory_, S * N, d_keys_.data(), d_memory_.data(), true);
  return d_memory_;
}

}  // namespace rnmt
