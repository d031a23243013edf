#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/packed_matmul.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace rnmt {

struct LossStats {
  double loss = 0;     // summed training loss (with label smoothing)
  double nll = 0;      // summed negative log-likelihood of the targets (for perplexity)
  int64_t tokens = 0;  // non-padding targets
};

// Projection to the vocabulary fused with log-softmax and label-smoothed cross-entropy:
//   z = x · Wᵀ + b,  loss_r = -(1-ε)·log p(y_r) - (ε/V)·Σ_v log p(v)   for rows with y_r != 0
//   (pad).
// The weight may be shared with the target embedding (tied): then it is that Param.
struct OutputLayer {
  Param* weight = nullptr;  // [vocab, hidden]
  Param* bias = nullptr;    // [vocab]
  int64_t hidden = 0, vocab = 0;
  Tensor probs;         // [rows, vocab]: logits, then probabilities, then the logits' gradient
  PackedMatmul packed;  // search's product, on its own copy of W in oneDNN's preferred layout
  // The arithmetic of forward and backward's products (training): f32, or bf16 (GemmShape::bf16);
  // the softmax and the loss stay f32.
  ComputeType training_compute = ComputeType::f32;

  OutputLayer(ParamSet& params, const std::string& name, int64_t hidden_size, int64_t vocab_size,
              Param* tied_weight);
  void init(Rng& rng, bool init_weight);
  // x [rows, hidden], targets [rows] -> loss sums; keeps the probabilities for backward.
  LossStats forward(const float* x, int64_t rows, const int32_t* targets, float smoothing);
  // Inference: the logits z [rows, vocab] of x [rows, hidden]; `version` is the ParamSet's. When
  // restricted, z is [rows, restricted size]: the logits of the restriction's pieces alone.
  void forward_inference(const float* x, int64_t rows, float* z, uint64_t version,
                         ComputeType type = ComputeType::f32);
  // Search with a shortlist: the following forward_inference calls compute the logits of `ids`
  // (ascending target ids) alone, from a copy of their rows of W and b taken now; empty: the whole
  // vocabulary again. The rows are quantised as the whole W's are, so int8 logits stay the same.
  void restrict_to(const std::vector<int32_t>& ids);
  int64_t output_size() const { return restricted_ ? restriction_.size : vocab; }
  // The gradient of scale·loss: accumulates dW, db and writes dx [rows, hidden].
  void backward(const float* x, int64_t rows, const int32_t* targets, float smoothing, float scale,
                float* dx);

 private:
  // Rows [0, rows) of z turn from logits into probabilities; returns the loss sums.
  LossStats softmax_rows(float* z, int64_t rows, const int32_t* targets, float smoothing);
  std::vector<double> row_terms_;  // [rows, 2]: each row's loss and negative log-likelihood
  // The last restriction (its buffers and product are reused by the next); in force while
  // restricted_.
  struct Restriction {
    int64_t size = 0;
    Tensor weight, bias;   // [size, hidden], [size]: the rows of the chosen pieces
    uint64_t version = 0;  // changes with every restriction (the products' weight version)
    std::unique_ptr<PackedMatmul> product;  // for `size` outputs; kept while the size stays
  } restriction_;
  bool restricted_ = false;
};

}  // namespace rnmt
