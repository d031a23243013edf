#include "core/packed_matmul.hpp"

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/prepared_weights.hpp"

namespace rnmt {

using dnnl::memory;
constexpr auto f32 = memory::data_type::f32;

struct PackedMatmul::Primitive {
  dnnl::matmul matmul;
  PreparedWeights* weights = nullptr;
  memory src, bias, dst, scratchpad;
  // bf16: the f32 input is converted into `converted` first
  dnnl::reorder to_bf16;
  memory converted, reorder_scratchpad;
};

bool bf16_supported() {
  static const bool supported = [] {
    const memory::desc a({1, 16}, memory::data_type::bf16, memory::format_tag::ab),
        b({16, 16}, memory::data_type::bf16, memory::format_tag::any),
        c({1, 16}, f32, memory::format_tag::ab);
    try {
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), dnnl_context().engine);
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }();
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

void PackedMatmul::forward(const float* x, int64_t m, const float* w, const float* bias,
                           uint64_t version, float* y, ComputeType type) {
  Primitive& p = primitive(m, type);
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
