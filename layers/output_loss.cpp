#include "layers/output_loss.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/matmul.hpp"
#include "core/vec_math.hpp"
#include "layers/linear.hpp"

namespace rnmt {

OutputLayer::OutputLayer(ParamSet& params, const std::string& name, int64_t hidden_size,
                         int64_t vocab_size, Param* tied_weight)
    : weight(tied_weight ? tied_weight : &params.add(name + ".weight", {vocab_size, hidden_size})),
      bias(&params.add(name + ".bias", {vocab_size})),
      hidden(hidden_size),
      vocab(vocab_size),
      packed(vocab_size, hidden_size, true) {}

void OutputLayer::init(Rng& rng, bool init_weight) {
  const float limit = linear_init_limit(hidden);
  if (init_weight) init_uniform(weight->w, hidden * vocab, limit, rng);
  init_uniform(bias->w, vocab, limit, rng);
}

LossStats OutputLayer::softmax_rows(float* logits, int64_t rows, const int32_t* targets,
                                    float smoothing) {
  const int64_t V = vocab;
  // Each row's terms first, then their sums in row order: the same loss on any thread count.
  if (row_terms_.size() < static_cast<size_t>(2 * rows)) row_terms_.resize(2 * rows);
  double* terms = row_terms_.data();  // [rows, 2]: loss, nll
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* z = logits + r * V;
    terms[2 * r] = terms[2 * r + 1] = 0;
    if (targets[r] == 0) continue;
    float max = z[0];
#pragma omp simd reduction(max : max)
    for (int64_t v = 1; v < V; ++v) max = std::max(max, z[v]);
    float sum_z = 0, sum_exp = 0;
    const float z_target = z[targets[r]];
#pragma omp simd reduction(+ : sum_z, sum_exp)
    for (int64_t v = 0; v < V; ++v) {
      sum_z += z[v];
      const float e = fast_exp(z[v] - max);
      z[v] = e;
      sum_exp += e;
    }
    const float inv = 1.0f / sum_exp;
#pragma omp simd
    for (int64_t v = 0; v < V; ++v) z[v] *= inv;
    const double lse = static_cast<double>(max) + std::log(static_cast<double>(sum_exp));
    const double target_nll = lse - z_target;
    terms[2 * r + 1] = target_nll;
    terms[2 * r] =
        (1.0 - smoothing) * target_nll + smoothing * (lse - static_cast<double>(sum_z) / V);
  }
  double loss = 0, nll = 0;
  int64_t tokens = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (targets[r] == 0) continue;
    loss += terms[2 * r];
    nll += terms[2 * r + 1];
    ++tokens;
  }
  return {loss, nll, tokens};
}

LossStats OutputLayer::forward(const float* x, int64_t rows, const int32_t* targets,
                               float smoothing) {
  probs.resize({rows, vocab});
  gemm({.m = rows,
        .n = vocab,
        .k = hidden,
        .a = {x, hidden},
        .b = {weight->w, hidden, true},
        .c = probs.data(),
        .ldc = vocab,
        .bias = bias->w,
        .bf16 = training_compute == ComputeType::bf16});
  return softmax_rows(probs.data(), rows, targets, smoothing);
}

void OutputLayer::forward_inference(const float* x, int64_t rows, float* z, uint64_t version,
                                    ComputeType type) {
  if (restricted_) {
    Restriction& r = restriction_;
    r.product->forward(x, rows, r.weight.data(), r.bias.data(), r.version, z, type);
    return;
  }
  packed.forward(x, rows, weight->w, bias->w, version, z, type);
}

void OutputLayer::restrict_to(const std::vector<int32_t>& ids) {
  restricted_ = false;
  if (ids.empty()) return;
  Restriction& r = restriction_;
  const auto n = static_cast<int64_t>(ids.size());
  if (!r.product || r.size != n) r.product = std::make_unique<PackedMatmul>(n, hidden, true);
  r.size = n;
  ++r.version;
  r.weight.resize({n, hidden});
  r.bias.resize({n});
  for (int64_t i = 0; i < n; ++i) {
    const int32_t id = ids[static_cast<size_t>(i)];
    if (id < 0 || id >= vocab) throw Error("a shortlist names a piece outside the vocabulary");
    std::memcpy(r.weight.data() + i * hidden, weight->w + id * hidden,
                sizeof(float) * static_cast<size_t>(hidden));
    r.bias[static_cast<size_t>(i)] = bias->w[id];
  }
  restricted_ = true;
}

void OutputLayer::backward(const float* x, int64_t rows, const int32_t* targets, float smoothing,
                           float scale, float* dx) {
  const int64_t V = vocab;
  const float uniform = smoothing / static_cast<float>(V);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* p = probs.data() + r * V;
    if (targets[r] == 0) {
      std::fill(p, p + V, 0.0f);
      continue;
    }
#pragma omp simd
    for (int64_t v = 0; v < V; ++v) p[v] = (p[v] - uniform) * scale;
    p[targets[r]] -= (1.0f - smoothing) * scale;
  }
  const float* dz = probs.data();
  const bool bf16 = training_compute == ComputeType::bf16;
  add_linear_parameter_gradients(x, rows, hidden, dz, V, weight->g, bias->g, bf16);
  linear_input_gradient(dz, rows, V, weight->w, hidden, dx, false, bf16);
}

}  // namespace rnmt
