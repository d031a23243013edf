#pragma once
#include <cstdint>

#include <oneapi/dnnl/dnnl.hpp>

namespace rnmt {

// Primitives that a worker of rnmt::Translator owns may run on a different thread each call:
// oneDNN's default (library) scratchpad is per thread and sized when a primitive is created, so
// such primitives take their scratchpad from us instead.
dnnl::primitive_attr user_scratchpad();

// The scratchpad of a primitive made with user_scratchpad(), in a buffer the calling thread shares
// with every other such primitive it runs (one runs to its end before the next starts), grown to
// the largest asked for. oneDNN as Debian builds it (DNNL_ENABLE_CONCURRENT_EXEC) gives every
// primitive a library scratchpad of its own for its whole life, and primitives cached per shape
// kept one each.
struct SharedScratchpad {
  dnnl::memory memory;  // over the thread's buffer, re-pointed on each get()
  size_t bytes = 0;

  void init(const dnnl::memory::desc& desc);
  // The memory to pass as DNNL_ARG_SCRATCHPAD. Call it after anything else on this thread that
  // may take the buffer (a larger request moves it), just before the primitive runs.
  dnnl_memory_t get();
};

// A weight tensor as a primitive wants it: either the parameter itself (when the primitive's
// layout is the plain one) or a reordered copy refreshed at most once per parameter version.
struct PreparedWeights {
  dnnl::memory user;      // over the parameter's plain data
  dnnl::memory prepared;  // owned copy in the primitive's layout (empty when not needed)
  dnnl::reorder reorder;
  dnnl::memory scratchpad;
  uint64_t version = 0;

  void init(const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted);
  // The memory to pass as the primitive's weights, reordered from `data` if its version changed.
  dnnl_memory_t get(const float* data, uint64_t current_version);
};

}  // namespace rnmt
