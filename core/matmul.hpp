#pragma once
#include <cstdint>

namespace rnmt {

// A (batched) matrix product C = A·B (+ C) (+ bias) on oneDNN's matmul primitive, with every
// operand described by strides so transposes and time-major slices need no copies. Element (i, j)
// of batch b of A is A[b * a_batch + i * a_row + j * a_col]; likewise B; C is row-major with row
// stride c_row, or with c_col > 1 (batch 1 only) stored transposed: element (i, j) at
// C[i + j * c_col], c_row = 1. A transposed C is computed into a dense copy that is then added
// (or written) in place; it lets a weight gradient dW += dyᵀ·x run as dWᵀ += xᵀ·dy, whose
// operands' layout the bf16 kernels take at several times the speed (measured on a Xeon with AMX,
// B1's output layer: 7 against 26 ms). Every field is int64_t so the struct hashes as plain bytes
// (it is the primitive cache's key).
struct GemmShape {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t a_batch = 0, a_row = 0, a_col = 1;
  int64_t b_batch = 0, b_row = 0, b_col = 1;
  int64_t c_batch = 0, c_row = 0, c_col = 1;
  int64_t accumulate = 0;  // 1: C += A·B
  int64_t has_bias = 0;    // 1: C += bias, a row vector of n
  // 1: A and B are rounded to bf16 (dense copies made per call) and multiplied with f32
  // accumulation into the f32 C, on AVX-512 BF16 or AMX; callers check bf16_supported() first.
  int64_t bf16 = 0;
};

// Runs the product; the primitive for each distinct shape is created once (per thread) and reused.
void matmul(const GemmShape& shape, const float* a, const float* b, float* c,
            const float* bias = nullptr);

// One operand of a 2-D product: a row-major matrix with row stride `ld`, used as stored or
// transposed.
struct GemmOperand {
  const float* data = nullptr;
  int64_t ld = 0;
  bool transposed = false;
};

// Row-major 2-D convenience in BLAS terms: C[m,n] (+)= op(A)[m,k] · op(B)[k,n] (+ bias[n]).
struct Gemm {
  int64_t m = 0, n = 0, k = 0;
  GemmOperand a = {}, b = {};  // op(A) [m, k], op(B) [k, n]
  float* c = nullptr;          // C [m, n], row stride ldc
  int64_t ldc = 0;
  bool c_transposed = false;    // C stored transposed: element (i, j) at c[j * ldc + i]
  bool accumulate = false;      // C += op(A)·op(B) instead of C =
  const float* bias = nullptr;  // [n], added to every row; null: none
  bool bf16 = false;            // operands rounded to bf16 (GemmShape::bf16)
};
void gemm(const Gemm& g);

}  // namespace rnmt
