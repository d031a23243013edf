#pragma once
#include <cstdint>
#include <string>

#include "core/packed_matmul.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"

namespace rnmt {

// y = x · Wᵀ + b with W [out, in] (PyTorch's layout) and an optional bias, on oneDNN matmul.
struct Linear {
  Param* weight = nullptr;
  Param* bias = nullptr;
  int64_t in = 0, out = 0;
  PackedMatmul packed;  // the inference product's own copy of W in oneDNN's preferred layout
  // The arithmetic of forward and backward (training): f32, or bf16 products (GemmShape::bf16)
  ComputeType training_compute = ComputeType::f32;

  Linear(ParamSet& params, const std::string& name, int64_t inputs, int64_t outputs,
         bool with_bias);
  void init(Rng& rng);
  // x [rows, in] -> y [rows, out]
  void forward(const float* x, int64_t rows, float* y) const;
  // The same for inference (search), on `packed`: `version` is the ParamSet's.
  void forward_inference(const float* x, int64_t rows, float* y, uint64_t version,
                         ComputeType type = ComputeType::f32);
  // Accumulates dW, db; writes dx (or adds to it when accumulate_dx), unless dx is null.
  void backward(const float* x, int64_t rows, const float* dy, float* dx, bool accumulate_dx);
  // The two halves of backward, for callers that defer the parameter gradient: dx = dy · W, and
  // dW += dyᵀ · x, db += Σ dy.
  void backward_input(const float* dy, int64_t rows, float* dx, bool accumulate_dx) const;
  void backward_params(const float* x, int64_t rows, const float* dy);
};

// db[j] += sum over rows of dy[i, j]
void add_column_sums(const float* dy, int64_t rows, int64_t cols, float* db);

// The backward products of any y = x · Wᵀ + b with W [out, in] (a Linear's, the output layer's):
// dx [rows, in] = dy [rows, out] · W (or += it, when accumulate), and dW += dyᵀ · x, db += Σ dy
// (db may be null: no bias).
// bf16: the products' operands rounded to bf16 (GemmShape::bf16).
void linear_input_gradient(const float* dy, int64_t rows, int64_t out, const float* w, int64_t in,
                           float* dx, bool accumulate, bool bf16 = false);
void add_linear_parameter_gradients(const float* x, int64_t rows, int64_t in, const float* dy,
                                    int64_t out, float* dw, float* db, bool bf16 = false);

}  // namespace rnmt
