#include "core/packed_matmul.hpp"

#include "core/dnnl_context.hpp"
#include "core/prepared_weights.hpp"

namespace rnmt {

using dnnl::memory;
constexpr auto f32 = memory::data_type::f32;

struct PackedMatmul::Primitive {
  dnnl::matmul matmul;
  PreparedWeights* weights = nullptr;
  memory src, bias, dst, scratchpad;
};

PackedMatmul::PackedMatmul(int64_t n, int64_t k, bool with_bias)
    : n_(n), k_(k), with_bias_(with_bias) {}
PackedMatmul::~PackedMatmul() = default;
PackedMatmul::PackedMatmul(PackedMatmul&&) noexcept = default;
PackedMatmul& PackedMatmul::operator=(PackedMatmul&&) noexcept = default;

PackedMatmul::Primitive& PackedMatmul::primitive(int64_t m) {
  auto& slot = by_rows_[m];
  if (slot) return *slot;
  auto& engine = dnnl_context().engine;
  const memory::desc src({m, k_}, f32, memory::format_tag::ab),
      dst({m, n_}, f32, memory::format_tag::ab),
      weights_plain({k_, n_}, f32, memory::format_tag::ba),  // Wᵀ of the row-major [n, k] W
      weights_any({k_, n_}, f32, memory::format_tag::any);
  memory::desc bias;
  if (with_bias_) bias = memory::desc({1, n_}, f32, memory::format_tag::ab);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, weights_any, bias, dst),
                                        user_scratchpad(), engine);
  auto p = std::make_unique<Primitive>();
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
                           uint64_t version, float* y) {
  Primitive& p = primitive(m);
  p.src.set_data_handle(const_cast<float*>(x));
  p.dst.set_data_handle(y);
  dnnl_memory_t weights = p.weights->get(w, version);
  if (with_bias_) {
    p.bias.set_data_handle(const_cast<float*>(bias));
    execute(p.matmul, {{DNNL_ARG_SRC, p.src.get()},
                       {DNNL_ARG_WEIGHTS, weights},
                       {DNNL_ARG_BIAS, p.bias.get()},
                       {DNNL_ARG_DST, p.dst.get()},
                       {DNNL_ARG_SCRATCHPAD, p.scratchpad.get()}});
  } else {
    execute(p.matmul, {{DNNL_ARG_SRC, p.src.get()},
                       {DNNL_ARG_WEIGHTS, weights},
                       {DNNL_ARG_DST, p.dst.get()},
                       {DNNL_ARG_SCRATCHPAD, p.scratchpad.get()}});
  }
}

}  // namespace rnmt
