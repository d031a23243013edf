#include "layers/linear.hpp"

#include "core/init.hpp"
#include "core/matmul.hpp"
#include "core/parallel.hpp"

namespace rnmt {

Linear::Linear(ParamSet& params, const std::string& name, int64_t inputs, int64_t outputs,
               bool with_bias)
    : weight(&params.add(name + ".weight", {outputs, inputs})),
      bias(with_bias ? &params.add(name + ".bias", {outputs}) : nullptr),
      in(inputs),
      out(outputs),
      packed(outputs, inputs, with_bias) {}

void Linear::init(Rng& rng) {
  const float limit = linear_init_limit(in);
  init_uniform(weight->w, in * out, limit, rng);
  if (bias) init_uniform(bias->w, out, limit, rng);
}

void Linear::forward(const float* x, int64_t rows, float* y) const {
  gemm({.m = rows,
        .n = out,
        .k = in,
        .a = {x, in},
        .b = {weight->w, in, true},
        .c = y,
        .ldc = out,
        .bias = bias ? bias->w : nullptr,
        .bf16 = training_compute == ComputeType::bf16});
}

void Linear::forward_inference(const float* x, int64_t rows, float* y, uint64_t version,
                               ComputeType type) {
  packed.forward(x, rows, weight->w, bias ? bias->w : nullptr, version, y, type);
}

void Linear::backward(const float* x, int64_t rows, const float* dy, float* dx,
                      bool accumulate_dx) {
  backward_params(x, rows, dy);
  if (dx) backward_input(dy, rows, dx, accumulate_dx);
}

void Linear::backward_input(const float* dy, int64_t rows, float* dx, bool accumulate_dx) const {
  linear_input_gradient(dy, rows, out, weight->w, in, dx, accumulate_dx,
                        training_compute == ComputeType::bf16);
}

void Linear::backward_params(const float* x, int64_t rows, const float* dy) {
  add_linear_parameter_gradients(x, rows, in, dy, out, weight->g, bias ? bias->g : nullptr,
                                 training_compute == ComputeType::bf16);
}

void linear_input_gradient(const float* dy, int64_t rows, int64_t out, const float* w, int64_t in,
                           float* dx, bool accumulate, bool bf16) {
  gemm({.m = rows,
        .n = in,
        .k = out,
        .a = {dy, out},
        .b = {w, in},
        .c = dx,
        .ldc = in,
        .accumulate = accumulate,
        .bf16 = bf16});
}

void add_linear_parameter_gradients(const float* x, int64_t rows, int64_t in, const float* dy,
                                    int64_t out, float* dw, float* db, bool bf16) {
  if (bf16) {  // as dWᵀ [in, out] += xᵀ · dy: the layout bf16 kernels run fastest (core/matmul.hpp)
    gemm({.m = in,
          .n = out,
          .k = rows,
          .a = {x, in, true},
          .b = {dy, out},
          .c = dw,
          .ldc = in,
          .c_transposed = true,
          .accumulate = true,
          .bf16 = true});
  } else {
    gemm({.m = out,
          .n = in,
          .k = rows,
          .a = {dy, out, true},
          .b = {x, in},
          .c = dw,
          .ldc = in,
          .accumulate = true});
  }
  if (db) add_column_sums(dy, rows, out, db);
}

void add_column_sums(const float* dy, int64_t rows, int64_t cols, float* db) {
#pragma omp parallel
  {
    const auto [begin, end] = thread_share(cols);
    for (int64_t i = 0; i < rows; ++i) {
      const float* d = dy + i * cols;
      for (int64_t j = begin; j < end; ++j) db[j] += d[j];
    }
  }
}

}  // namespace rnmt
