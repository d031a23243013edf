#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace rnmt {

enum class Cell { lstm, gru };

struct ForwardMemories;

// Gate counts in oneDNN's order: LSTM (i, f, c̃, o); linear-before-reset GRU (u, r, o) with a fourth
// bias, the one added to the recurrent part of the o gate before the reset gate scales it.
inline int64_t weight_gates(Cell cell) {
  return cell == Cell::lstm ? 4 : 3;
}
inline int64_t bias_gates(Cell) {
  return 4;
}

// One left-to-right recurrent layer on oneDNN's LSTM or linear-before-reset GRU primitive, for
// training: forward_training and backward over a whole padded batch [T, N, input] (time-major).
// Parameters are kept in oneDNN's plain layouts (weights ldigo [input, gates, hidden], bias
// [gates, hidden]); each (T, N) gets its own primitives, created once, and reordered copies of the
// weights in the layouts those primitives prefer, refreshed when the parameters' version changes.
//
// oneDNN has no per-sequence lengths: with end padding, outputs before each row's length are exact,
// but the final states are those after step T-1. Callers read a row's last state from `y` and keep
// gradients at padded positions zero.
class RnnLayer {
 public:
  RnnLayer(ParamSet& params, const std::string& name, Cell cell, int64_t input, int64_t hidden);
  ~RnnLayer();
  RnnLayer(RnnLayer&&) noexcept;
  RnnLayer& operator=(RnnLayer&&) noexcept = delete;

  void init(Rng& rng);
  Cell cell() const { return cell_; }
  int64_t input() const { return input_; }
  int64_t hidden() const { return hidden_; }
  Param& weights_layer() { return *w_layer_; }
  Param& weights_iter() { return *w_iter_; }
  Param& bias() { return *bias_; }

  // Floats of workspace one forward call of shape (T, N) needs; backward needs the same buffer.
  size_t workspace_floats(int64_t T, int64_t N);

  // x [T,N,input]; h0, c0 [N,hidden] or null for zeros (c only for LSTM); y [T,N,hidden];
  // hT, cT [N,hidden] receive the states after step T-1, or null when not wanted.
  void forward(int64_t T, int64_t N, const float* x, const float* h0, const float* c0, float* y,
               float* hT, float* cT, float* workspace);

  // Inference (search): x [T,N,input] -> y [T,N,hidden] with forward_inference primitives (no
  // workspace); h0/c0 as in forward; hT, cT receive the final states or may be null.
  void forward_inference(int64_t T, int64_t N, const float* x, const float* h0, const float* c0,
                         float* y, float* hT, float* cT);

  // The same arguments as forward (values unchanged), plus the gradients: dy [T,N,hidden];
  // dhT, dcT of the final states or null for zero. Writes dx [T,N,input] and dh0, dc0 (any may be
  // null when not wanted) and accumulates into the parameters' gradients.
  void backward(int64_t T, int64_t N, const float* x, const float* h0, const float* c0,
                const float* y, const float* cT, const float* dy, const float* dhT,
                const float* dcT, float* dx, float* dh0, float* dc0, float* workspace);

 private:
  struct Primitives;
  struct InferencePrimitives;
  struct SharedWeights;
  Primitives& primitives(int64_t T, int64_t N);
  InferencePrimitives& inference_primitives(int64_t T, int64_t N);
  SharedWeights& shared_weights(const Param& param, const dnnl::memory::desc& plain,
                                const dnnl::memory::desc& wanted);
  float* zeros(int64_t count);
  int forward_args(ForwardMemories& m, dnnl_memory_t w_layer, dnnl_memory_t w_iter, int64_t N,
                   const float* x, const float* h0, const float* c0, float* y, float* hT, float* cT,
                   dnnl_exec_arg_t* args);

  const ParamSet* params_;
  Cell cell_;
  int64_t input_, hidden_;
  Param* w_layer_;
  Param* w_iter_;
  Param* bias_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Primitives>> cache_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<InferencePrimitives>> inference_cache_;
  // Inference primitives of many batch sizes usually want the same weight layout: one reordered
  // copy per distinct layout, not per shape.
  std::vector<std::unique_ptr<SharedWeights>> inference_weights_;
  Tensor zeros_;
  Tensor scratch_h_, scratch_c_, scratch_dh_, scratch_dc_, scratch_dx_;
};

}  // namespace rnmt
