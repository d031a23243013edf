#include "core/dnnl_context.hpp"

#include <omp.h>

namespace rnmt {

DnnlContext& dnnl_context() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  // A stream per thread: threads that translate at once (rnmt::Translator) must not share one.
  thread_local DnnlContext context{engine, dnnl::stream(engine)};
  return context;
}

dnnl::memory user_memory(const dnnl::memory::desc& desc) {
  return dnnl::memory(desc, dnnl_context().engine, DNNL_MEMORY_NONE);
}

void execute(const dnnl::primitive& primitive, const dnnl_exec_arg_t* args, int count) {
  dnnl::error::wrap_c_api(
      dnnl_primitive_execute(primitive.get(), dnnl_context().stream.get(), count, args),
      "could not execute a primitive");
}

void execute(const dnnl::primitive& primitive, std::initializer_list<dnnl_exec_arg_t> args) {
  execute(primitive, args.begin(), static_cast<int>(args.size()));
}

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace rnmt
