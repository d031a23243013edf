#include "core/prepared_weights.hpp"

#include "core/dnnl_context.hpp"

namespace rnmt {

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void PreparedWeights::init(const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted) {
  user = user_memory(plain);
  if (wanted != plain) {
    auto& engine = dnnl_context().engine;
    prepared = dnnl::memory(wanted, engine);
    const dnnl::reorder::primitive_desc pd(engine, plain, engine, wanted, user_scratchpad());
    reorder = dnnl::reorder(pd);
    scratchpad = dnnl::memory(pd.scratchpad_desc(), engine);  // owned; usually empty
  }
}

dnnl_memory_t PreparedWeights::get(const float* data, uint64_t current_version) {
  user.set_data_handle(const_cast<float*>(data));
  if (!prepared) return user.get();
  if (version != current_version) {
    execute(reorder, {{DNNL_ARG_FROM, user.get()},
                      {DNNL_ARG_TO, prepared.get()},
                      {DNNL_ARG_SCRATCHPAD, scratchpad.get()}});
    version = current_version;
  }
  return prepared.get();
}

}  // namespace rnmt
