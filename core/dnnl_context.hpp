#pragma once
#include <initializer_list>

#include <oneapi/dnnl/dnnl.hpp>

namespace rnmt {

// The CPU engine every primitive runs on, and the calling thread's stream.
struct DnnlContext {
  dnnl::engine engine;
  dnnl::stream stream;
};

DnnlContext& dnnl_context();

// A oneDNN memory object over caller-owned data; the handle is re-pointed before each execution.
dnnl::memory user_memory(const dnnl::memory::desc& desc);

// Executes on the shared stream without the C++ API's per-call argument map (no allocation).
void execute(const dnnl::primitive& primitive, std::initializer_list<dnnl_exec_arg_t> args);

void execute(const dnnl::primitive& primitive, const dnnl_exec_arg_t* args, int count);

// Sets the thread count for oneDNN and rnmt's own loops (both run on OpenMP).
void set_threads(int threads);

}  // namespace rnmt
