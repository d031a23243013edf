#include "core/packed_matmul.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/prepared_weights.hpp"

namespace rnmt {

using dnnl::memory;
constexpr auto f32 = memory::data_type::f32;

constexpr auto s8 = memory::data_type::s8;
constexpr float kInt8Max = 127.0f;

struct PackedMatmul::Primitive {
  dnnl::matmul matmul;
  PreparedWeights* weights = nullptr;
  memory src, bias, dst, scratchpad;
  // bf16: the f32 input is converted into `converted` first
  dnnl::reorder to_bf16;
  memory converted, reorder_scratchpad;
  // int8: the input quantised into `quantized` [m, k] (s8), the per-column output scales [n]
  std::vector<int8_t> quantized;
  std::vector<float> output_scales;
  memory quantized_src, scales;
  memory::desc weights_wanted;
};

// W [n, k] as s8, each row scaled by 127 / its largest magnitude: once per weight version, in
// every layout an int8 primitive asks for (as layouts_ does for f32), so that calls of different
// row counts never quantise again in turn.
struct PackedMatmul::QuantizedWeights {
  std::vector<float> row_max;       // [n]: each row's largest magnitude (1 for an all-zero row)
  std::optional<uint64_t> version;  // of row_max
  struct Layout {
    memory prepared;
    std::optional<uint64_t> version;  // of the values in `prepared`
  };
  std::vector<Layout> layouts;
};

namespace {

bool supports_matmul(memory::data_type src, memory::data_type weights) {
  const memory::desc a({1, 16}, src, memory::format_tag::ab),
      b({16, 16}, weights, memory::format_tag::any), c({1, 16}, f32, memory::format_tag::ab);
  try {
    dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), dnnl_context().engine);
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

}  // namespace

bool int8_supported() {
  static const bool supported = supports_matmul(s8, s8);
  return supported;
}

bool bf16_supported() {
  static const bool supported = supports_matmul(memory::data_type::bf16, memory::data_type::bf16);
  return supported;
}

PackedMatmul::PackedMatmul(int64_t n, int64_t k, bool with_bias)
    : n_(n), k_(k), with_bias_(with_bias) {}
PackedMatmul::~PackedMatmul() = default;
PackedMatmul::PackedMatmul(PackedMatmul&&) noexcept = default;
PackedMatmul& PackedMatmul::operator=(PackedMatmul&&) noexcept = default;

PackedMatmul::Primitive& PackedMatmul::primitive(int64_t m, ComputeType type) {
  auto& slot = by_shape_[{m, type}];
  if (slot) return *slot;
  auto& engine = dnnl_context().engine;
  if (type == ComputeType::int8) {
    // s8 · s8 -> f32, each output column scaled at run time (input scale × its row's scale); the
    // bias is added afterwards in f32 (oneDNN would scale it with the accumulator)
    if (!int8_supported()) throw Error(kInt8Unsupported);
    const memory::desc src({m, k_}, s8, memory::format_tag::ab),
        weights_any({k_, n_}, s8, memory::format_tag::any),
        dst({m, n_}, f32, memory::format_tag::ab);
    dnnl::primitive_attr attr = user_scratchpad();
    attr.set_output_scales(1 << 1, {DNNL_RUNTIME_F32_VAL});
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, weights_any, dst), attr, engine);
    auto p = std::make_unique<Primitive>();
    p->matmul = dnnl::matmul(pd);
    p->quantized.resize(static_cast<size_t>(m * k_));
    p->quantized_src = memory(src, engine, p->quantized.data());
    p->output_scales.resize(static_cast<size_t>(n_));
    p->scales =
        memory(memory::desc({n_}, f32, memory::format_tag::a), engine, p->output_scales.data());
    p->dst = user_memory(dst);
    p->scratchpad = memory(pd.scratchpad_desc(), engine);
    p->weights_wanted = pd.weights_desc();
    slot = std::move(p);
    return *slot;
  }
  const auto operands = type == ComputeType::bf16 ? memory::data_type::bf16 : f32;
  const memory::desc src({m, k_}, f32, memory::format_tag::ab),
      dst({m, n_}, f32, memory::format_tag::ab),
      weights_plain({k_, n_}, f32, memory::format_tag::ba),  // Wᵀ of the row-major [n, k] W
      weights_any({k_, n_}, operands, memory::format_tag::any),
      src_operand({m, k_}, operands, memory::format_tag::ab);
  memory::desc bias;
  if (with_bias_) bias = memory::desc({1, n_}, f32, memory::format_tag::ab);
  auto p = std::make_unique<Primitive>();
  dnnl::matmul::primitive_desc pd;
  try {
    pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_operand, weights_any, bias, dst),
                                      user_scratchpad(), engine);
  } catch (const dnnl::error&) {
    if (type != ComputeType::bf16) throw;
    throw Error(kBf16Unsupported);
  }
  if (type == ComputeType::bf16) {
    const dnnl::reorder::primitive_desc rpd(engine, src, engine, src_operand, user_scratchpad());
    p->to_bf16 = dnnl::reorder(rpd);
    p->converted = memory(src_operand, engine);
    p->reorder_scratchpad = memory(rpd.scratchpad_desc(), engine);
  }
  p->matmul = dnnl::matmul(pd);
  p->src = user_memory(src);
  p->dst = user_memory(dst);
  if (with_bias_) p->bias = user_memory(bias);
  p->scratchpad = memory(pd.scratchpad_desc(), engine);
  const memory::desc wanted = pd.weights_desc();
  for (auto& layout : layouts_) {
    if (layout->prepared ? layout->prepared.get_desc() == wanted : wanted == weights_plain)
      p->weights = layout.get();
  }
  if (!p->weights) {
    layouts_.push_back(std::make_unique<PreparedWeights>());
    layouts_.back()->init(weights_plain, wanted);
    p->weights = layouts_.back().get();
  }
  slot = std::move(p);
  return *slot;
}

void PackedMatmul::forward_int8(Primitive& p, const float* x, int64_t m, const float* w,
                                const float* bias, uint64_t version, float* y) {
  auto& engine = dnnl_context().engine;
  if (!quantized_) quantized_ = std::make_unique<QuantizedWeights>();
  QuantizedWeights& q = *quantized_;
  if (q.version != version) {  // the rows' scales, once per version
    q.row_max.assign(static_cast<size_t>(n_), 0.0f);
    for (int64_t j = 0; j < n_; ++j) {
      float largest = 0;
      for (int64_t c = 0; c < k_; ++c) largest = std::max(largest, std::fabs(w[j * k_ + c]));
      q.row_max[static_cast<size_t>(j)] = largest > 0 ? largest : 1.0f;
    }
    q.version = version;
  }
  QuantizedWeights::Layout* layout = nullptr;
  for (auto& candidate : q.layouts)
    if (candidate.prepared.get_desc() == p.weights_wanted) layout = &candidate;
  if (!layout) {
    q.layouts.push_back({memory(p.weights_wanted, engine), std::nullopt});
    layout = &q.layouts.back();
  }
  if (layout->version != version) {
    // One reorder of Wᵀ (the plain [k, n] view of W) into the s8 layout, each row scaled.
    std::vector<float> scales(static_cast<size_t>(n_));
    for (int64_t j = 0; j < n_; ++j)
      scales[static_cast<size_t>(j)] = kInt8Max / q.row_max[static_cast<size_t>(j)];
    const memory::desc plain({k_, n_}, f32, memory::format_tag::ba);
    dnnl::primitive_attr attr;
    attr.set_output_scales(1 << 1, scales);
    const memory user(plain, engine, const_cast<float*>(w));
    const dnnl::reorder reorder(
        dnnl::reorder::primitive_desc(engine, plain, engine, p.weights_wanted, attr));
    execute(reorder, {{DNNL_ARG_FROM, user.get()}, {DNNL_ARG_TO, layout->prepared.get()}});
    layout->version = version;
  }
  // The input: one symmetric scale for the call, from its largest magnitude.
  const int64_t count = m * k_;
  float largest = 0;
  for (int64_t i = 0; i < count; ++i) largest = std::max(largest, std::fabs(x[i]));
  const float x_max = largest > 0 ? largest : 1.0f, to_int = kInt8Max / x_max;
  for (int64_t i = 0; i < count; ++i)
    p.quantized[static_cast<size_t>(i)] = static_cast<int8_t>(std::lrint(x[i] * to_int));
  for (int64_t j = 0; j < n_; ++j)
    p.output_scales[static_cast<size_t>(j)] =
        x_max * q.row_max[static_cast<size_t>(j)] / (kInt8Max * kInt8Max);
  p.dst.set_data_handle(y);
  execute(p.matmul, {{DNNL_ARG_SRC, p.quantized_src.get()},
                     {DNNL_ARG_WEIGHTS, layout->prepared.get()},
                     {DNNL_ARG_DST, p.dst.get()},
                     {DNNL_ARG_ATTR_OUTPUT_SCALES, p.scales.get()},
                     {DNNL_ARG_SCRATCHPAD, p.scratchpad.get()}});
  if (with_bias_) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n_; ++j) y[i * n_ + j] += bias[j];
  }
}

void PackedMatmul::forward(const float* x, int64_t m, const float* w, const float* bias,
                           uint64_t version, float* y, ComputeType type) {
  Primitive& p = primitive(m, type);
  if (type == ComputeType::int8) {
    forward_int8(p, x, m, w, bias, version, y);
    return;
  }
  p.src.set_data_handle(const_cast<float*>(x));
  p.dst.set_data_handle(y);
  dnnl_memory_t src = p.src.get();
  if (p.converted) {
    execute(p.to_bf16, {{DNNL_ARG_FROM, p.src.get()},
                        {DNNL_ARG_TO, p.converted.get()},
                        {DNNL_ARG_SCRATCHPAD, p.reorder_scratchpad.get()}});
    src = p.converted.get();
  }
  dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, src},
                             {DNNL_ARG_WEIGHTS, p.weights->get(w, version)},
                             {DNNL_ARG_DST, p.dst.get()},
                             {DNNL_ARG_SCRATCHPAD, p.scratchpad.get()}};
  int count = 4;
  if (with_bias_) {
    p.bias.set_data_handle(const_cast<float*>(bias));
    args[count++] = {DNNL_ARG_BIAS, p.bias.get()};
  }
  execute(p.matmul, args, count);
}

}  // namespace rnmt
