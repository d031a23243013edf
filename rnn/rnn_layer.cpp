#include "rnn/rnn_layer.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/init.hpp"
#include "core/prepared_weights.hpp"

namespace rnmt {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

// The memory descriptors of one (T, N) shape: sequences, hidden states, weights as the primitive
// computes with them (`any`: its choice of layout) and in the parameters' plain f32 layout, bias,
// cell states, and the gradients of sequences and states. In bf16 (training only) the sequences,
// hidden states and weights it computes with are bf16; bias, cell states, gradients and the
// weights' plain layout stay f32.
struct ShapeDescs {
  memory::desc layer_in, layer_out, state, w_layer, w_iter, w_layer_any, w_iter_any, bias;
  memory::desc state_c, d_layer_in, d_layer_out, d_state;
};

ShapeDescs shape_descs(Cell cell, int64_t I, int64_t H, int64_t T, int64_t N,
                       memory::data_type type = f32) {
  const int64_t G = weight_gates(cell), B = bias_gates(cell);
  return {memory::desc({T, N, I}, type, tag::tnc),
          memory::desc({T, N, H}, type, tag::tnc),
          memory::desc({1, 1, N, H}, type, tag::ldnc),
          memory::desc({1, 1, I, G, H}, f32, tag::ldigo),
          memory::desc({1, 1, H, G, H}, f32, tag::ldigo),
          memory::desc({1, 1, I, G, H}, type, tag::any),
          memory::desc({1, 1, H, G, H}, type, tag::any),
          memory::desc({1, 1, B, H}, f32, tag::ldgo),
          memory::desc({1, 1, N, H}, f32, tag::ldnc),
          memory::desc({T, N, I}, f32, tag::tnc),
          memory::desc({T, N, H}, f32, tag::tnc),
          memory::desc({1, 1, N, H}, f32, tag::ldnc)};
}

// One cell kind's oneDNN primitives and how their descriptors are spelled: the LSTM has cell states
// beside its hidden states, rnmt's GRU (linear-before-reset) has not. The rest of the set-up is
// the same for both (make_training_primitives, make_inference_primitive).
constexpr auto kLeftToRight = dnnl::rnn_direction::unidirectional_left2right;

// The descriptors' arguments are grouped as oneDNN lists them: source, weights, bias,
// destination; then their gradients.
struct LstmKind {
  using Forward = dnnl::lstm_forward;
  using Backward = dnnl::lstm_backward;
  // clang-format off
  static Forward::desc forward(dnnl::prop_kind kind, const ShapeDescs& d) {
    return {kind, kLeftToRight, d.layer_in, d.state, d.state_c, d.w_layer_any, d.w_iter_any,
            d.bias, d.layer_out, d.state, d.state_c};
  }
  static Backward::desc backward(const ShapeDescs& d) {
    return {dnnl::prop_kind::backward, kLeftToRight,
            d.layer_in, d.state, d.state_c, d.w_layer_any, d.w_iter_any, d.bias,
            d.layer_out, d.state, d.state_c,
            d.d_layer_in, d.d_state, d.d_state, d.w_layer, d.w_iter, d.bias,
            d.d_layer_out, d.d_state, d.d_state};
  }
  // clang-format on
};

struct GruKind {  // no cell state
  using Forward = dnnl::lbr_gru_forward;
  using Backward = dnnl::lbr_gru_backward;
  // clang-format off
  static Forward::desc forward(dnnl::prop_kind kind, const ShapeDescs& d) {
    return {kind, kLeftToRight, d.layer_in, d.state, d.w_layer_any, d.w_iter_any, d.bias,
            d.layer_out, d.state};
  }
  static Backward::desc backward(const ShapeDescs& d) {
    return {dnnl::prop_kind::backward, kLeftToRight,
            d.layer_in, d.state, d.w_layer_any, d.w_iter_any, d.bias,
            d.layer_out, d.state,
            d.d_layer_in, d.d_state, d.w_layer, d.w_iter, d.bias,
            d.d_layer_out, d.d_state};
  }
  // clang-format on
};

// What the training set-up takes from the primitives it made: the weight layouts each pass wants
// and the workspace forward leaves for backward.
struct TrainingLayouts {
  memory::desc fwd_w_layer, fwd_w_iter, bwd_w_layer, bwd_w_iter, workspace;
  memory::desc fwd_scratchpad, bwd_scratchpad;
};

template <class Kind>
TrainingLayouts make_training_primitives(const ShapeDescs& d, dnnl::primitive& forward,
                                         dnnl::primitive& backward) {
  auto& engine = dnnl_context().engine;
  typename Kind::Forward::primitive_desc fpd(Kind::forward(dnnl::prop_kind::forward_training, d),
                                             user_scratchpad(), engine);
  typename Kind::Backward::primitive_desc bpd(Kind::backward(d), user_scratchpad(), engine, fpd);
  forward = typename Kind::Forward(fpd);
  backward = typename Kind::Backward(bpd);
  return {fpd.weights_layer_desc(), fpd.weights_iter_desc(), bpd.weights_layer_desc(),
          bpd.weights_iter_desc(),  fpd.workspace_desc(),    fpd.scratchpad_desc(),
          bpd.scratchpad_desc()};
}

// The inference primitive; returns its scratchpad's descriptor and the weight layouts it wants.
struct InferenceLayouts {
  memory::desc w_layer, w_iter, scratchpad;
};

template <class Kind>
InferenceLayouts make_inference_primitive(const ShapeDescs& d, dnnl::primitive& forward) {
  typename Kind::Forward::primitive_desc pd(Kind::forward(dnnl::prop_kind::forward_inference, d),
                                            user_scratchpad(), dnnl_context().engine);
  forward = typename Kind::Forward(pd);
  return {pd.weights_layer_desc(), pd.weights_iter_desc(), pd.scratchpad_desc()};
}

// The user-data memories of a forward call, training or inference; handles are re-pointed on each
// call.
struct ForwardMemories {
  memory src_layer, src_iter, src_iter_c, bias, dst_layer, dst_iter, dst_iter_c;

  void init(const ShapeDescs& d) {
    src_layer = user_memory(d.layer_in);
    src_iter = user_memory(d.state);
    src_iter_c = user_memory(d.state_c);
    bias = user_memory(d.bias);
    dst_layer = user_memory(d.layer_out);
    dst_iter = user_memory(d.state);
    dst_iter_c = user_memory(d.state_c);
  }
};

// bf16 training: the primitives read and write bf16 sequences and hidden states, while the caller's
// buffers stay f32. The workspace then holds, after oneDNN's own part, the bf16 copies of the
// call's input sequence [T, N, input], initial state [N, hidden], output sequence [T, N, hidden]
// and final state [N, hidden]: forward writes them, backward reads them again.
struct Bf16Copies {
  size_t x = 0, h0 = 0, y = 0, hT = 0, end = 0;  // byte offsets into the workspace
  dnnl::reorder round_x, round_h0, widen_y;      // f32 -> bf16, f32 -> bf16, bf16 -> f32
  memory x_f32, x_bf16, h0_f32, h0_bf16, y_bf16, y_f32;

  Bf16Copies(const ShapeDescs& d, size_t onednn_bytes) {
    const auto aligned = [](size_t bytes) { return (bytes + 63) / 64 * 64; };
    x = aligned(onednn_bytes);
    h0 = x + aligned(d.layer_in.get_size());
    y = h0 + aligned(d.state.get_size());
    hT = y + aligned(d.layer_out.get_size());
    end = hT + aligned(d.state.get_size());
    auto& engine = dnnl_context().engine;
    const auto reorder = [&](const memory::desc& from, const memory::desc& to) {
      return dnnl::reorder(dnnl::reorder::primitive_desc(engine, from, engine, to));
    };
    round_x = reorder(d.d_layer_in, d.layer_in);
    round_h0 = reorder(d.d_state, d.state);
    widen_y = reorder(d.layer_out, d.d_layer_out);
    x_f32 = user_memory(d.d_layer_in);
    x_bf16 = user_memory(d.layer_in);
    h0_f32 = user_memory(d.d_state);
    h0_bf16 = user_memory(d.state);
    y_bf16 = user_memory(d.layer_out);
    y_f32 = user_memory(d.d_layer_out);
  }
  // The call as the primitives see it: sequences and hidden states in the workspace's copies (a
  // null initial state stays null: zeros); cell states and workspace as given.
  RnnForward in_workspace(const RnnForward& c) const {
    char* ws = reinterpret_cast<char*>(c.workspace);
    RnnForward run = c;
    run.x = reinterpret_cast<const float*>(ws + x);
    if (c.h0) run.h0 = reinterpret_cast<const float*>(ws + h0);
    run.y = reinterpret_cast<float*>(ws + y);
    run.hT = reinterpret_cast<float*>(ws + hT);
    return run;
  }
  static void convert(dnnl::reorder& r, memory& from, const void* from_data, memory& to,
                      void* to_data) {
    from.set_data_handle(const_cast<void*>(from_data));
    to.set_data_handle(to_data);
    execute(r, {{DNNL_ARG_FROM, from.get()}, {DNNL_ARG_TO, to.get()}});
  }
  // Before the forward primitive: the call's input sequence and initial state, rounded.
  void round_inputs(const RnnForward& c, const RnnForward& run) {
    convert(round_x, x_f32, c.x, x_bf16, const_cast<float*>(run.x));
    if (c.h0) convert(round_h0, h0_f32, c.h0, h0_bf16, const_cast<float*>(run.h0));
  }
  // After it: the output sequence (and final state) in the caller's f32 buffers.
  void widen_outputs(const RnnForward& c, const RnnForward& run, int64_t state_floats) {
    convert(widen_y, y_bf16, run.y, y_f32, c.y);
    if (c.hT) std::copy(c.y + (c.T - 1) * state_floats, c.y + c.T * state_floats, c.hT);
  }
};

struct RnnLayer::Primitives {
  std::optional<Bf16Copies> bf16;  // bf16 training only
  dnnl::primitive forward, backward;
  // the weights in each pass's layout, shared with every other shape that wants the same layout
  SharedWeights* fwd_w_layer = nullptr;
  SharedWeights* fwd_w_iter = nullptr;
  SharedWeights* bwd_w_layer = nullptr;
  SharedWeights* bwd_w_iter = nullptr;
  // User-data memories; handles are re-pointed on each call.
  ForwardMemories fwd;
  memory workspace;
  SharedScratchpad fwd_scratchpad, bwd_scratchpad;
  memory diff_src_layer, diff_src_iter, diff_src_iter_c, diff_w_layer, diff_w_iter, diff_bias;
  memory diff_dst_layer, diff_dst_iter, diff_dst_iter_c;
  size_t workspace_floats = 0;
};

struct RnnLayer::SharedWeights {
  const Param* param;  // which weights: layer and iteration weights may share a layout
  memory::desc wanted;
  PreparedWeights weights;
};

struct RnnLayer::InferencePrimitives {
  dnnl::primitive forward;
  SharedWeights* w_layer = nullptr;
  SharedWeights* w_iter = nullptr;
  ForwardMemories fwd;
  SharedScratchpad scratchpad;
};

RnnLayer::RnnLayer(ParamSet& params, const std::string& name, Cell cell, int64_t input,
                   int64_t hidden)
    : params_(&params),
      cell_(cell),
      input_(input),
      hidden_(hidden),
      w_layer_(&params.add(name + ".weights_layer", {input, weight_gates(cell), hidden})),
      w_iter_(&params.add(name + ".weights_iter", {hidden, weight_gates(cell), hidden})),
      bias_(&params.add(name + ".bias", {bias_gates(cell), hidden})) {}

RnnLayer::~RnnLayer() = default;
RnnLayer::RnnLayer(RnnLayer&&) noexcept = default;

namespace {
// A recorded buffer: the values, or zeros for a null (zero) argument.
std::vector<float> copy_or_zeros(const float* values, int64_t count) {
  if (!values) return std::vector<float>(static_cast<size_t>(count), 0.0f);
  return std::vector<float>(values, values + count);
}
}  // namespace

void RnnLayer::init(Rng& rng) {
  const int64_t G = weight_gates(cell_), H = hidden_;
  // PyTorch's RNN default: every weight U(±1/sqrt(H)). PyTorch has two biases (input and
  // recurrent), each U(±1/sqrt(H)); where oneDNN adds them into one gate bias, that bias is their
  // sum. The linear-before-reset GRU keeps the o gate's two apart (gate 2: input, gate 3:
  // recurrent).
  const float limit = 1.0f / std::sqrt(static_cast<float>(H));
  init_uniform(w_layer_->w, input_ * G * H, limit, rng);
  init_uniform(w_iter_->w, H * G * H, limit, rng);
  for (int64_t g = 0; g < bias_gates(cell_); ++g) {
    const bool summed = cell_ == Cell::lstm || g < 2;
    for (int64_t j = 0; j < H; ++j) {
      float b = rng.uniform(-limit, limit);
      if (summed) b += rng.uniform(-limit, limit);
      bias_->w[g * H + j] = b;
    }
  }
}

RnnLayer::Primitives& RnnLayer::primitives(int64_t T, int64_t N) {
  const bool bf16 = training_compute_ == ComputeType::bf16;
  auto& slot = cache_[{T, N, omp_get_max_threads(), bf16}];
  if (slot) return *slot;
  auto p = std::make_unique<Primitives>();
  const ShapeDescs d =
      shape_descs(cell_, input_, hidden_, T, N, bf16 ? memory::data_type::bf16 : f32);
  const TrainingLayouts layouts =
      cell_ == Cell::lstm ? make_training_primitives<LstmKind>(d, p->forward, p->backward)
                          : make_training_primitives<GruKind>(d, p->forward, p->backward);
  p->fwd_w_layer = &shared_weights(*w_layer_, d.w_layer, layouts.fwd_w_layer);
  p->fwd_w_iter = &shared_weights(*w_iter_, d.w_iter, layouts.fwd_w_iter);
  p->bwd_w_layer = &shared_weights(*w_layer_, d.w_layer, layouts.bwd_w_layer);
  p->bwd_w_iter = &shared_weights(*w_iter_, d.w_iter, layouts.bwd_w_iter);
  p->fwd.init(d);
  p->workspace = user_memory(layouts.workspace);
  p->fwd_scratchpad.init(layouts.fwd_scratchpad);
  p->bwd_scratchpad.init(layouts.bwd_scratchpad);
  p->diff_src_layer = user_memory(d.d_layer_in);
  p->diff_src_iter = user_memory(d.d_state);
  p->diff_src_iter_c = user_memory(d.d_state);
  p->diff_w_layer = user_memory(d.w_layer);
  p->diff_w_iter = user_memory(d.w_iter);
  p->diff_bias = user_memory(d.bias);
  p->diff_dst_layer = user_memory(d.d_layer_out);
  p->diff_dst_iter = user_memory(d.d_state);
  p->diff_dst_iter_c = user_memory(d.d_state);
  size_t bytes = layouts.workspace.get_size();
  if (bf16) bytes = p->bf16.emplace(d, bytes).end;
  p->workspace_floats = (bytes + sizeof(float) - 1) / sizeof(float);
  slot = std::move(p);
  return *slot;
}

RnnLayer::SharedWeights& RnnLayer::shared_weights(const Param& param, const memory::desc& plain,
                                                  const memory::desc& wanted) {
  for (auto& w : weights_) {
    if (w->param == &param && w->wanted == wanted) return *w;
  }
  auto w = std::make_unique<SharedWeights>();
  w->param = &param;
  w->wanted = wanted;
  w->weights.init(plain, wanted);
  weights_.push_back(std::move(w));
  return *weights_.back();
}

RnnLayer::InferencePrimitives& RnnLayer::inference_primitives(int64_t T, int64_t N) {
  auto& slot = inference_cache_[{T, N}];
  if (slot) return *slot;
  auto p = std::make_unique<InferencePrimitives>();
  const ShapeDescs d = shape_descs(cell_, input_, hidden_, T, N);
  const InferenceLayouts layouts = cell_ == Cell::lstm
                                       ? make_inference_primitive<LstmKind>(d, p->forward)
                                       : make_inference_primitive<GruKind>(d, p->forward);
  p->scratchpad.init(layouts.scratchpad);
  p->w_layer = &shared_weights(*w_layer_, d.w_layer, layouts.w_layer);
  p->w_iter = &shared_weights(*w_iter_, d.w_iter, layouts.w_iter);
  p->fwd.init(d);
  slot = std::move(p);
  return *slot;
}

size_t RnnLayer::workspace_floats(int64_t T, int64_t N) {
  return primitives(T, N).workspace_floats;
}

float* RnnLayer::zeros(int64_t count) {
  if (static_cast<int64_t>(zeros_.size()) < count) {
    zeros_.resize({count});
    zeros_.zero();
  }
  return zeros_.data();
}

namespace {
dnnl_exec_arg_t arg(int id, memory& m, const void* data) {
  m.set_data_handle(const_cast<void*>(data));
  return {id, m.get()};
}
}  // namespace

// The arguments both kinds of forward call share: sequences, initial states (zero when not given),
// final states (into scratch when not wanted), weights and bias. Returns how many it wrote.
int RnnLayer::forward_args(ForwardMemories& m, dnnl_memory_t w_layer, dnnl_memory_t w_iter,
                           const RnnForward& c, dnnl_exec_arg_t* args) {
  const int64_t NH = c.N * hidden_;
  const float* h0 = c.h0 ? c.h0 : zeros(NH);
  float* hT = c.hT;
  if (!hT) {
    scratch_h_.resize({NH});
    hT = scratch_h_.data();
  }
  int n = 0;
  args[n++] = arg(DNNL_ARG_SRC_LAYER, m.src_layer, c.x);
  args[n++] = arg(DNNL_ARG_SRC_ITER, m.src_iter, h0);
  args[n++] = {DNNL_ARG_WEIGHTS_LAYER, w_layer};
  args[n++] = {DNNL_ARG_WEIGHTS_ITER, w_iter};
  args[n++] = arg(DNNL_ARG_BIAS, m.bias, bias_->w);
  args[n++] = arg(DNNL_ARG_DST_LAYER, m.dst_layer, c.y);
  args[n++] = arg(DNNL_ARG_DST_ITER, m.dst_iter, hT);
  if (cell_ == Cell::lstm) {
    const float* c0 = c.c0 ? c.c0 : zeros(NH);
    float* cT = c.cT;
    if (!cT) {
      scratch_c_.resize({NH});
      cT = scratch_c_.data();
    }
    args[n++] = arg(DNNL_ARG_SRC_ITER_C, m.src_iter_c, c0);
    args[n++] = arg(DNNL_ARG_DST_ITER_C, m.dst_iter_c, cT);
  }
  return n;
}

void RnnLayer::forward(const RnnForward& c) {
  if (cell_ == Cell::lstm && !c.cT) throw Error("RnnLayer: an LSTM's training forward needs cT");
  Primitives& p = primitives(c.T, c.N);
  const uint64_t version = params_->version();
  const RnnForward run = p.bf16 ? p.bf16->in_workspace(c) : c;
  if (p.bf16) p.bf16->round_inputs(c, run);
  dnnl_exec_arg_t args[12];
  int n = forward_args(p.fwd, p.fwd_w_layer->weights.get(w_layer_->w, version),
                       p.fwd_w_iter->weights.get(w_iter_->w, version), run, args);
  args[n++] = arg(DNNL_ARG_WORKSPACE, p.workspace, c.workspace);
  args[n++] = {DNNL_ARG_SCRATCHPAD, p.fwd_scratchpad.get()};
  execute(p.forward, args, n);
  if (p.bf16) p.bf16->widen_outputs(c, run, c.N * hidden_);
  if (recording_) {
    const int64_t NH = c.N * hidden_;
    recording_->forwards.push_back(
        {.T = c.T,
         .N = c.N,
         .x = copy_or_zeros(c.x, c.T * c.N * input_),
         .h0 = copy_or_zeros(c.h0, NH),
         .c0 = cell_ == Cell::lstm ? copy_or_zeros(c.c0, NH) : std::vector<float>(),
         .y = copy_or_zeros(c.y, c.T * NH)});
  }
}

namespace {

constexpr auto u8 = memory::data_type::u8;
constexpr auto s8 = memory::data_type::s8;
constexpr float kDataShift = 128.0f;  // u8 = x · scale + 128: zero in the middle
// weights ldigo: a scale for each (g, o), the same over l, d and i
constexpr int kPerGateAndChannel = (1 << 3) | (1 << 4);

// oneDNN's RNN data quantisation (set_rnn_data_qparams), rounded and saturated.
void quantize_u8(const float* x, int64_t count, float scale, uint8_t* out) {
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) {
    const float v = std::nearbyint(x[i] * scale + kDataShift);
    out[i] = static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, v)));
  }
}

// Without VNNI, u8·s8 pairs are summed in 16 bits before they reach 32 (vpmaddubsw), which
// 255 · 127 · 2 overflows: the weights then keep to ±63, as oneDNN's int8 RNN example does.
float int8_weight_range() {
  static const float range = [] {
    switch (dnnl::get_effective_cpu_isa()) {
      case dnnl::cpu_isa::avx2_vnni:
      case dnnl::cpu_isa::avx512_core_vnni:
      case dnnl::cpu_isa::avx512_core_bf16:
      case dnnl::cpu_isa::avx512_core_amx:
        return 127.0f;
      default:
        return 63.0f;
    }
  }();
  return range;
}

}  // namespace

struct RnnLayer::Int8Weights {
  const Param* param;
  memory::desc wanted;
  memory prepared;  // s8, in the primitive's layout (with oneDNN's compensation)
  uint64_t version = 0;
};

struct RnnLayer::Int8Primitives {
  dnnl::primitive forward;
  float bound = 0;  // the int8_input_bound_ it was made for
  float data_scale = 0;
  dnnl::primitive_attr quantization;  // the scales, for the weights' reorders
  memory::desc w_layer_wanted, w_iter_wanted;
  memory src_layer;  // u8 [T, N, input]
  // f32: oneDNN quantises the hidden states itself (src_iter's type must be dst_iter's)
  memory src_iter, src_iter_c, bias, dst_layer, dst_iter, dst_iter_c;
  SharedScratchpad scratchpad;
};

void RnnLayer::set_int8_input_bound(float bound) {
  int8_input_bound_ = std::max(1.0f, bound);
}

RnnLayer::Int8Primitives& RnnLayer::int8_primitives(int64_t T, int64_t N) {
  const uint64_t version = params_->version();
  const int64_t G = weight_gates(cell_), H = hidden_;
  if (int8_version_ != version) {
    // one scale per gate and channel, shared by the input and recurrent weights
    std::vector<float> largest(static_cast<size_t>(G * H), 0.0f);
    const auto scan = [&](const Param& w, int64_t rows) {
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t gh = 0; gh < G * H; ++gh)
          largest[static_cast<size_t>(gh)] =
              std::max(largest[static_cast<size_t>(gh)], std::fabs(w.w[i * G * H + gh]));
    };
    scan(*w_layer_, input_);
    scan(*w_iter_, H);
    int8_weight_scales_.resize(largest.size());
    for (size_t i = 0; i < largest.size(); ++i)
      int8_weight_scales_[i] = int8_weight_range() / (largest[i] > 0 ? largest[i] : 1.0f);
    int8_cache_.clear();
    int8_version_ = version;
  }
  auto& slot = int8_cache_[{T, N}];
  if (slot && slot->bound == int8_input_bound_) return *slot;
  auto p = std::make_unique<Int8Primitives>();
  p->bound = int8_input_bound_;
  p->data_scale = 127.0f / int8_input_bound_;
  const memory::desc in({T, N, input_}, u8, tag::tnc), out({T, N, H}, f32, tag::tnc),
      state({1, 1, N, H}, f32, tag::ldnc), w_layer({1, 1, input_, G, H}, s8, tag::any),
      w_iter({1, 1, H, G, H}, s8, tag::any), bias({1, 1, bias_gates(cell_), H}, f32, tag::ldgo);
  p->quantization.set_rnn_data_qparams(p->data_scale, kDataShift);
  p->quantization.set_rnn_weights_qparams(kPerGateAndChannel, int8_weight_scales_);
  dnnl::primitive_attr attr = user_scratchpad();
  attr.set_rnn_data_qparams(p->data_scale, kDataShift);
  attr.set_rnn_weights_qparams(kPerGateAndChannel, int8_weight_scales_);
  auto& engine = dnnl_context().engine;
  dnnl::lstm_forward::primitive_desc pd;
  try {
    pd = dnnl::lstm_forward::primitive_desc(
        dnnl::lstm_forward::desc(dnnl::prop_kind::forward_inference, kLeftToRight, in, state, state,
                                 w_layer, w_iter, bias, out, state, state),
        attr, engine);
  } catch (const dnnl::error&) {
    throw Error(kInt8Unsupported);
  }
  p->forward = dnnl::lstm_forward(pd);
  p->w_layer_wanted = pd.weights_layer_desc();
  p->w_iter_wanted = pd.weights_iter_desc();
  p->src_layer = user_memory(in);
  p->src_iter = user_memory(state);
  p->src_iter_c = user_memory(state);
  p->bias = user_memory(bias);
  p->dst_layer = user_memory(out);
  p->dst_iter = user_memory(state);
  p->dst_iter_c = user_memory(state);
  p->scratchpad.init(pd.scratchpad_desc());
  slot = std::move(p);
  return *slot;
}

memory& RnnLayer::int8_weights(const Param& param, const memory::desc& wanted,
                               const dnnl::primitive_attr& attr) {
  Int8Weights* found = nullptr;
  for (auto& w : int8_weights_)
    if (w->param == &param && w->wanted == wanted) found = w.get();
  if (!found) {
    int8_weights_.push_back(std::make_unique<Int8Weights>(
        Int8Weights{&param, wanted, memory(wanted, dnnl_context().engine), 0}));
    found = int8_weights_.back().get();
  }
  if (found->version != int8_version_) {
    const int64_t rows = &param == w_layer_ ? input_ : hidden_;
    const memory::desc plain({1, 1, rows, weight_gates(cell_), hidden_}, f32, tag::ldigo);
    const memory user(plain, dnnl_context().engine, param.w);
    const dnnl::reorder reorder(dnnl::reorder::primitive_desc(dnnl_context().engine, plain,
                                                              dnnl_context().engine, wanted, attr));
    execute(reorder, {{DNNL_ARG_FROM, user.get()}, {DNNL_ARG_TO, found->prepared.get()}});
    found->version = int8_version_;
  }
  return found->prepared;
}

void RnnLayer::forward_int8(const RnnForward& c) {
  Int8Primitives& p = int8_primitives(c.T, c.N);
  const int64_t NH = c.N * hidden_;
  quantized_x_.resize(static_cast<size_t>(c.T * c.N * input_));
  quantize_u8(c.x, c.T * c.N * input_, p.data_scale, quantized_x_.data());
  const float* c0 = c.c0 ? c.c0 : zeros(NH);
  float* hT = c.hT;
  if (!hT) {
    scratch_h_.resize({NH});
    hT = scratch_h_.data();
  }
  float* cT = c.cT;
  if (!cT) {
    scratch_c_.resize({NH});
    cT = scratch_c_.data();
  }
  p.src_layer.set_data_handle(quantized_x_.data());
  dnnl_exec_arg_t args[] = {
      {DNNL_ARG_SRC_LAYER, p.src_layer.get()},
      arg(DNNL_ARG_SRC_ITER, p.src_iter, c.h0 ? c.h0 : zeros(NH)),
      arg(DNNL_ARG_SRC_ITER_C, p.src_iter_c, c0),
      {DNNL_ARG_WEIGHTS_LAYER, int8_weights(*w_layer_, p.w_layer_wanted, p.quantization).get()},
      {DNNL_ARG_WEIGHTS_ITER, int8_weights(*w_iter_, p.w_iter_wanted, p.quantization).get()},
      arg(DNNL_ARG_BIAS, p.bias, bias_->w),
      arg(DNNL_ARG_DST_LAYER, p.dst_layer, c.y),
      arg(DNNL_ARG_DST_ITER, p.dst_iter, hT),
      arg(DNNL_ARG_DST_ITER_C, p.dst_iter_c, cT),
      {DNNL_ARG_SCRATCHPAD, nullptr}};
  args[9].memory = p.scratchpad.get();  // after the weights' reorders
  execute(p.forward, args, 10);
}

void RnnLayer::forward_inference(const RnnForward& c, ComputeType compute) {
  if (compute == ComputeType::int8 && !int8_runs_in_f32()) {
    forward_int8(c);
    return;
  }
  InferencePrimitives& p = inference_primitives(c.T, c.N);
  const uint64_t version = params_->version();
  dnnl_exec_arg_t args[10];
  int n = forward_args(p.fwd, p.w_layer->weights.get(w_layer_->w, version),
                       p.w_iter->weights.get(w_iter_->w, version), c, args);
  args[n++] = {DNNL_ARG_SCRATCHPAD, p.scratchpad.get()};
  execute(p.forward, args, n);
}

void RnnLayer::backward(const RnnBackward& b) {
  const RnnForward& f = b.forward;
  const int64_t T = f.T, N = f.N, NH = N * hidden_;
  Primitives& p = primitives(T, N);
  const float* h0 = f.h0 ? f.h0 : zeros(NH);
  const float* dhT = b.dhT ? b.dhT : zeros(NH);
  float* dh0 = b.dh0;
  if (!dh0) {
    scratch_dh_.resize({NH});
    dh0 = scratch_dh_.data();
  }
  float* dx = b.dx;
  if (!dx) {
    scratch_dx_.resize({T * N * input_});
    dx = scratch_dx_.data();
  }
  // The forward call's sequences and hidden states as the primitive saw them (bf16: their copies)
  const RnnForward run = p.bf16 ? p.bf16->in_workspace(f) : f;
  if (p.bf16 && f.h0) h0 = run.h0;
  // The final hidden state: the last output (f32), or the copy forward kept (bf16).
  const void* hT = p.bf16 ? static_cast<const void*>(run.hT) : f.y + (T - 1) * NH;
  const uint64_t version = params_->version();
  dnnl_exec_arg_t args[22];
  int n = 0;
  args[n++] = arg(DNNL_ARG_SRC_LAYER, p.fwd.src_layer, run.x);
  args[n++] = arg(DNNL_ARG_SRC_ITER, p.fwd.src_iter, h0);
  args[n++] = {DNNL_ARG_WEIGHTS_LAYER, p.bwd_w_layer->weights.get(w_layer_->w, version)};
  args[n++] = {DNNL_ARG_WEIGHTS_ITER, p.bwd_w_iter->weights.get(w_iter_->w, version)};
  args[n++] = arg(DNNL_ARG_BIAS, p.fwd.bias, bias_->w);
  args[n++] = arg(DNNL_ARG_DST_LAYER, p.fwd.dst_layer, run.y);
  args[n++] = arg(DNNL_ARG_DST_ITER, p.fwd.dst_iter, hT);
  args[n++] = arg(DNNL_ARG_WORKSPACE, p.workspace, f.workspace);
  args[n++] = arg(DNNL_ARG_DIFF_SRC_LAYER, p.diff_src_layer, dx);
  args[n++] = arg(DNNL_ARG_DIFF_SRC_ITER, p.diff_src_iter, dh0);
  args[n++] = arg(DNNL_ARG_DIFF_WEIGHTS_LAYER, p.diff_w_layer, w_layer_->g);
  args[n++] = arg(DNNL_ARG_DIFF_WEIGHTS_ITER, p.diff_w_iter, w_iter_->g);
  args[n++] = arg(DNNL_ARG_DIFF_BIAS, p.diff_bias, bias_->g);
  args[n++] = arg(DNNL_ARG_DIFF_DST_LAYER, p.diff_dst_layer, b.dy);
  args[n++] = arg(DNNL_ARG_DIFF_DST_ITER, p.diff_dst_iter, dhT);
  if (cell_ == Cell::lstm) {
    if (!f.cT) throw Error("RnnLayer: an LSTM's backward needs the forward call's cT");
    const float* c0 = f.c0 ? f.c0 : zeros(NH);
    const float* dcT = b.dcT ? b.dcT : zeros(NH);
    float* dc0 = b.dc0;
    if (!dc0) {
      scratch_dc_.resize({NH});
      dc0 = scratch_dc_.data();
    }
    args[n++] = arg(DNNL_ARG_SRC_ITER_C, p.fwd.src_iter_c, c0);
    args[n++] = arg(DNNL_ARG_DST_ITER_C, p.fwd.dst_iter_c, f.cT);
    args[n++] = arg(DNNL_ARG_DIFF_SRC_ITER_C, p.diff_src_iter_c, dc0);
    args[n++] = arg(DNNL_ARG_DIFF_DST_ITER_C, p.diff_dst_iter_c, dcT);
  }
  args[n++] = {DNNL_ARG_SCRATCHPAD, p.bwd_scratchpad.get()};
  execute(p.backward, args, n);
  if (recording_) {
    const bool lstm = cell_ == Cell::lstm;
    recording_->backwards.push_back(
        {.T = T,
         .N = N,
         .dy = copy_or_zeros(b.dy, T * NH),
         .dhT = copy_or_zeros(b.dhT, NH),
         .dcT = lstm ? copy_or_zeros(b.dcT, NH) : std::vector<float>(),
         .dx = copy_or_zeros(dx, T * N * input_),
         .dh0 = copy_or_zeros(dh0, NH),
         .dc0 =
             lstm ? copy_or_zeros(b.dc0 ? b.dc0 : scratch_dc_.data(), NH) : std::vector<float>()});
  }
}

}  // namespace rnmt
