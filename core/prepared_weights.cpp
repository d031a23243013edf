#include "core/prepared_weights.hpp"

#include <cstdlib>
#include <new>

#include "core/dnnl_context.hpp"

namespace rnmt {

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {

void* thread_scratchpad(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.data = nullptr;
    buffer.size = 0;
    const size_t size = (bytes + 4095) / 4096 * 4096;
    buffer.data = std::aligned_alloc(4096, size);
    if (!buffer.data) throw std::bad_alloc();
    buffer.size = size;
  }
  return buffer.data;
}

}  // namespace

void SharedScratchpad::init(const dnnl::memory::desc& desc) {
  memory = user_memory(desc);
  bytes = desc.get_size();
}

dnnl_memory_t SharedScratchpad::get() {
  if (bytes > 0) memory.set_data_handle(thread_scratchpad(bytes));
  return memory.get();
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
