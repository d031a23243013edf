#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>
#include "rnn/rnn_types.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include "core/compute_type.hpp"
#include "core/enum_names.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "rnn/rnn_recording.hpp"

namespace rnmt {

struct ForwardMemories;

// The buffers of one call over a sequence of T steps of N rows (time-major). A null initial state
// is zeros; a null final state is not wanted.
struct RnnForward {
  int64_t T = 0, N = 0;
  const float* x = nullptr;    // [T, N, input]
  const float* h0 = nullptr;   // [N, hidden]
  const float* c0 = nullptr;   // [N, hidden], LSTM only
  float* y = nullptr;          // [T, N, hidden]
  float* hT = nullptr;         // [N, hidden]: the state after step T-1
  float* cT = nullptr;         // [N, hidden], LSTM only; required by training
  float* workspace = nullptr;  // [workspace_floats(T, N)], training only
};

// Backward of a training forward: its buffers, and the gradients. A null incoming gradient is
// zeros; a null outgoing one is not wanted.
struct RnnBackward {
  RnnForward forward;          // exactly as given to forward(), values unchanged
  const float* dy = nullptr;   // [T, N, hidden]
  const float* dhT = nullptr;  // [N, hidden]
  const float* dcT = nullptr;  // [N, hidden], LSTM only
  float* dx = nullptr;         // [T, N, input], written
  float* dh0 = nullptr;        // [N, hidden], written
  float* dc0 = nullptr;        // [N, hidden], LSTM only, written
};

// Gate counts in oneDNN's order: LSTM (i, f, c̃, o); linear-before-reset GRU (u, r, o) with a fourth
// bias, the one added to the recurrent part of the o gate before the reset gate scales it.
inline int64_t weight_gates(Cell cell) {
  return cell == Cell::lstm ? 4 : 3;
}
inline int64_t bias_gates(Cell) {
  return 4;
}

// One left-to-right recurrent layer on oneDNN's LSTM or linear-before-reset GRU primitive: forward
// and backward for training, forward_inference for search, over a padded batch [T, N, input]
// (time-major). An operation: every call gets all its buffers (docs/architecture.md: the layer
// convention). Parameters are kept in oneDNN's plain layouts (weights ldigo [input, gates, hidden],
// bias [gates, hidden]); each (T, N) gets its own primitives, created once. The weights are
// reordered into the layouts those primitives prefer once per layout, not per shape (shapes
// mostly want the same few), and refreshed when the parameters' version changes.
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

  // The arithmetic of training forward and backward: f32, or bf16 (sequences, hidden states and
  // weights rounded to bf16 inside the primitives, on AVX-512 BF16 or AMX; cell states, bias,
  // gradients and the caller's buffers stay f32). Set before the first training call (workspace
  // sizes depend on it); the caller checks bf16_supported().
  void set_training_compute(ComputeType compute) { training_compute_ = compute; }
  ComputeType training_compute() const { return training_compute_; }

  // Floats of workspace one training forward of shape (T, N) needs; its backward reads it.
  size_t workspace_floats(int64_t T, int64_t N);

  // Training: keeps in `workspace` what backward needs. An LSTM's cT is required: backward reads
  // the final cell state from there.
  void forward(const RnnForward& call);
  // Inference (search) on forward_inference primitives: no workspace, nothing kept. In int8 an
  // LSTM runs oneDNN's u8s8 primitive: x quantised to u8 here and the hidden states by oneDNN
  // (x · s + 128, one scale s for both, from int8_input_bound), the weights to s8 per gate and
  // channel (once per version); cell states, bias and outputs in f32. A GRU has no int8 primitive
  // in oneDNN 2.6 (not the linear-before-reset form): it runs in f32 (int8_runs_in_f32()).
  void forward_inference(const RnnForward& call, ComputeType compute = ComputeType::f32);
  // The largest magnitude the layer's int8 input takes (at least 1, the bound of any hidden state):
  // the owner sets it from the embeddings for a first layer; deeper layers read states.
  void set_int8_input_bound(float bound);
  bool int8_runs_in_f32() const { return cell_ != Cell::lstm; }
  // The forward call's buffers (values unchanged) and the gradients; accumulates into the
  // parameters' gradients.
  void backward(const RnnBackward& call);

  // Inspection: while set, every training forward and backward call is copied into `recording`
  // (null stops it). Costs nothing when unset.
  void record_into(RnnRecording* recording) { recording_ = recording; }

 private:
  struct Primitives;
  struct InferencePrimitives;
  struct SharedWeights;
  struct Int8Primitives;
  struct Int8Weights;
  Int8Primitives& int8_primitives(int64_t T, int64_t N);
  dnnl::memory& int8_weights(const Param& param, const dnnl::memory::desc& wanted,
                             const dnnl::primitive_attr& attr);
  void forward_int8(const RnnForward& call);
  Primitives& primitives(int64_t T, int64_t N);
  InferencePrimitives& inference_primitives(int64_t T, int64_t N);
  SharedWeights& shared_weights(const Param& param, const dnnl::memory::desc& plain,
                                const dnnl::memory::desc& wanted);
  float* zeros(int64_t count);
  int forward_args(ForwardMemories& m, dnnl_memory_t w_layer, dnnl_memory_t w_iter,
                   const RnnForward& call, dnnl_exec_arg_t* args);

  const ParamSet* params_;
  Cell cell_;
  int64_t input_, hidden_;
  Param* w_layer_;
  Param* w_iter_;
  Param* bias_;
  ComputeType training_compute_ = ComputeType::f32;
  // Training primitives by (T, N, OpenMP threads, bf16): oneDNN plans the split of the work among
  // threads at creation, and training may change its thread count between steps.
  std::map<std::tuple<int64_t, int64_t, int, bool>, std::unique_ptr<Primitives>> cache_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<InferencePrimitives>> inference_cache_;
  // Primitives of many shapes usually want the same weight layouts: one reordered copy per distinct
  // (parameter, layout), shared by training and inference. A copy per shape made B1 on the Bible
  // recipe (sentences of every length up to 100) peak at 5.1 GB in 400 steps; shared, 2.8 GB.
  std::vector<std::unique_ptr<SharedWeights>> weights_;
  // int8: primitives by (T, N), the weights in s8 per layout, and the scales they were made with
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Int8Primitives>> int8_cache_;
  std::vector<std::unique_ptr<Int8Weights>> int8_weights_;
  std::vector<float> int8_weight_scales_;  // [gates, hidden]
  float int8_input_bound_ = 1.0f;
  uint64_t int8_version_ = 0;  // the parameters' version the int8 state was made for (0: none)
  std::vector<uint8_t> quantized_x_;  // [T, N, input]
  Tensor zeros_;  // [N, hidden] (the largest asked for): the zero states of null arguments
  // Outputs the caller did not ask for: [N, hidden] states and state gradients, [T, N, input] dx.
  Tensor scratch_h_, scratch_c_, scratch_dh_, scratch_dc_, scratch_dx_;
  RnnRecording* recording_ = nullptr;
};

}  // namespace rnmt
