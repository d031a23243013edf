#include "core/matmul.hpp"

#include <omp.h>

#include <cstring>
#include <unordered_map>

#include "core/dnnl_context.hpp"

namespace rnmt {
namespace {

using dnnl::memory;

// The cache key: the shape and the OpenMP thread count the primitive was made for (oneDNN plans
// its split of the work among threads when the primitive is created; training may change its
// thread count between steps, see training/load_following_threads.hpp).
struct Key {
  GemmShape shape;
  int64_t threads = 0;
};
struct KeyHash {
  size_t operator()(const Key& key) const {
    const auto* p = reinterpret_cast<const int64_t*>(&key);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof(Key) / sizeof(int64_t); ++i) {
      h = (h ^ static_cast<uint64_t>(p[i])) * 1099511628211ull;
    }
    return h;
  }
};
struct KeyEqual {
  bool operator()(const Key& x, const Key& y) const {
    return std::memcmp(&x, &y, sizeof(Key)) == 0;
  }
};

struct Entry {
  dnnl::matmul primitive;
  memory a, b, c, bias;
};

memory::desc strided(const GemmShape& s, int64_t rows, int64_t cols, int64_t batch_stride,
                     int64_t row_stride, int64_t col_stride) {
  if (s.batch == 1)
    return memory::desc({rows, cols}, memory::data_type::f32, {row_stride, col_stride});
  return memory::desc({s.batch, rows, cols}, memory::data_type::f32,
                      {batch_stride, row_stride, col_stride});
}

Entry make_entry(const GemmShape& s) {
  auto a = strided(s, s.m, s.k, s.a_batch, s.a_row, s.a_col);
  auto b = strided(s, s.k, s.n, s.b_batch, s.b_row, s.b_col);
  auto c = strided(s, s.m, s.n, s.c_batch, s.c_row, 1);
  memory::desc bias;
  if (s.has_bias) bias = strided(GemmShape{.batch = s.batch}, 1, s.n, s.n, s.n, 1);
  dnnl::primitive_attr attr;
  if (s.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  auto& ctx = dnnl_context();
  // A batched product (attention's, a few rows per sentence) made for several threads lets oneDNN
  // split each inner sum among them when the batch does not divide evenly, so its results would
  // depend on the thread count. Made for one thread it sums in one order on any count, as training
  // needs (its results do not depend on its thread count); it is a small part of a step (measured:
  // no change in B1's training speed).
  const int threads = omp_get_max_threads();
  if (s.batch > 1) omp_set_num_threads(1);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), attr, ctx.engine);
  omp_set_num_threads(threads);
  Entry e{dnnl::matmul(pd), user_memory(a), user_memory(b), user_memory(c), {}};
  if (s.has_bias) e.bias = user_memory(bias);
  return e;
}

}  // namespace

void matmul(const GemmShape& shape, const float* a, const float* b, float* c, const float* bias) {
  thread_local std::unordered_map<Key, Entry, KeyHash, KeyEqual> cache;
  const Key key{shape, omp_get_max_threads()};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make_entry(shape)).first;
  Entry& e = it->second;
  e.a.set_data_handle(const_cast<float*>(a));
  e.b.set_data_handle(const_cast<float*>(b));
  e.c.set_data_handle(c);
  dnnl_exec_arg_t args[4] = {
      {DNNL_ARG_SRC, e.a.get()}, {DNNL_ARG_WEIGHTS, e.b.get()}, {DNNL_ARG_DST, e.c.get()}};
  int count = 3;
  if (shape.has_bias) {
    e.bias.set_data_handle(const_cast<float*>(bias));
    args[count++] = {DNNL_ARG_BIAS, e.bias.get()};
  }
  execute(e.primitive, args, count);
}

void gemm(const Gemm& g) {
  GemmShape s;
  s.m = g.m;
  s.n = g.n;
  s.k = g.k;
  s.a_row = g.a.transposed ? 1 : g.a.ld;
  s.a_col = g.a.transposed ? g.a.ld : 1;
  s.b_row = g.b.transposed ? 1 : g.b.ld;
  s.b_col = g.b.transposed ? g.b.ld : 1;
  s.c_row = g.ldc;
  s.accumulate = g.accumulate;
  s.has_bias = g.bias != nullptr;
  matmul(s, g.a.data, g.b.data, g.c, g.bias);
}

}  // namespace rnmt
