#include "core/matmul.hpp"

#include <omp.h>

#include <cstring>
#include <unordered_map>
#include <utility>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/prepared_weights.hpp"
#include "core/tensor.hpp"

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

// bf16: an operand's rounded copy, dense, and the reorder that makes it from the f32 operand.
struct Bf16Copy {
  memory f32;   // over the caller's operand
  memory copy;  // over a Scratch buffer
  dnnl::reorder round;
};

// A transposed C (GemmShape::c_col > 1): the product's dense result, and the reorder that adds it
// to (or writes it over) the caller's C.
struct TransposedResult {
  memory dense;  // over a Scratch buffer
  memory user;   // over the caller's C
  dnnl::reorder place;
};

// The buffers of bf16 copies and transposed results, shared by every shape's entry (grown to the
// largest asked for): an entry owning its own would keep a copy of the logits' gradient for each
// batch shape training meets, tens of MB each.
struct Scratch {
  Tensor a, b, c;
  static void* fit(Tensor& buffer, const memory& m) {
    const size_t floats = (m.get_desc().get_size() + sizeof(float) - 1) / sizeof(float);
    if (buffer.size() < floats) buffer.resize({static_cast<int64_t>(floats)});
    return buffer.data();
  }
};

struct Entry {
  dnnl::matmul primitive;
  memory a, b, c, bias;
  SharedScratchpad scratchpad;
  Bf16Copy a16, b16;        // bf16 only
  TransposedResult result;  // transposed C only
};

memory::desc strided(const GemmShape& s, int64_t rows, int64_t cols, int64_t batch_stride,
                     int64_t row_stride, int64_t col_stride,
                     memory::data_type type = memory::data_type::f32) {
  if (s.batch == 1) return memory::desc({rows, cols}, type, {row_stride, col_stride});
  return memory::desc({s.batch, rows, cols}, type, {batch_stride, row_stride, col_stride});
}

// A bf16 operand, dense in the same element order as the strided f32 one (row- or column-major,
// batch outermost), so that rounding it is a straight pass over memory. Measured on a Xeon with AMX
// (B1's output layer): rounding into the blocked layouts the kernels prefer took 3x as long as the
// time they saved in the product.
memory::desc dense_bf16(const GemmShape& s, int64_t rows, int64_t cols, int64_t row_stride,
                        int64_t col_stride) {
  const bool column_major = col_stride > row_stride;
  const int64_t r = column_major ? 1 : cols, c = column_major ? rows : 1;
  return strided(s, rows, cols, rows * cols, r, c, memory::data_type::bf16);
}

Bf16Copy bf16_copy(const memory::desc& f32, const memory::desc& bf16) {
  auto& ctx = dnnl_context();
  return {user_memory(f32), user_memory(bf16),
          dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, f32, ctx.engine, bf16))};
}

Entry make_entry(const GemmShape& s) {
  auto a = strided(s, s.m, s.k, s.a_batch, s.a_row, s.a_col);
  auto b = strided(s, s.k, s.n, s.b_batch, s.b_row, s.b_col);
  const bool c_transposed = s.c_col != 1;
  if (c_transposed && s.batch != 1) throw Error("matmul: a transposed C needs batch 1");
  auto c =
      c_transposed ? strided(s, s.m, s.n, 0, s.n, 1) : strided(s, s.m, s.n, s.c_batch, s.c_row, 1);
  const memory::desc a_user = a, b_user = b;
  if (s.bf16) {
    a = dense_bf16(s, s.m, s.k, s.a_row, s.a_col);
    b = dense_bf16(s, s.k, s.n, s.b_row, s.b_col);
  }
  memory::desc bias;
  if (s.has_bias) bias = strided(GemmShape{.batch = s.batch}, 1, s.n, s.n, s.n, 1);
  dnnl::primitive_attr attr;
  dnnl::primitive_attr add;  // C += the product (with a transposed C: in placing it)
  if (s.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    add.set_post_ops(ops);
  }
  if (!c_transposed) attr = add;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
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
  Entry e;
  e.primitive = dnnl::matmul(pd);
  e.scratchpad.init(pd.scratchpad_desc());
  if (c_transposed) {
    const memory::desc user = strided(s, s.m, s.n, 0, s.c_row, s.c_col);
    e.result = {user_memory(c), user_memory(user),
                dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, c, ctx.engine, user, add))};
    e.c = e.result.dense;
  } else {
    e.c = user_memory(c);
  }
  if (s.has_bias) e.bias = user_memory(bias);
  if (s.bf16) {
    e.a16 = bf16_copy(a_user, pd.src_desc());
    e.b16 = bf16_copy(b_user, pd.weights_desc());
    e.a = e.a16.copy;
    e.b = e.b16.copy;
  } else {
    e.a = user_memory(a);
    e.b = user_memory(b);
  }
  return e;
}

}  // namespace

void matmul(const GemmShape& shape, const float* a, const float* b, float* c, const float* bias) {
  thread_local std::unordered_map<Key, Entry, KeyHash, KeyEqual> cache;
  thread_local Scratch scratch;
  const Key key{shape, omp_get_max_threads()};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make_entry(shape)).first;
  Entry& e = it->second;
  if (shape.bf16) {
    e.a16.copy.set_data_handle(Scratch::fit(scratch.a, e.a16.copy));
    e.b16.copy.set_data_handle(Scratch::fit(scratch.b, e.b16.copy));
    for (auto [copy, data] : {std::pair{&e.a16, a}, std::pair{&e.b16, b}}) {
      copy->f32.set_data_handle(const_cast<float*>(data));
      execute(copy->round, {{DNNL_ARG_FROM, copy->f32.get()}, {DNNL_ARG_TO, copy->copy.get()}});
    }
  } else {
    e.a.set_data_handle(const_cast<float*>(a));
    e.b.set_data_handle(const_cast<float*>(b));
  }
  if (e.result.dense)
    e.c.set_data_handle(Scratch::fit(scratch.c, e.c));
  else
    e.c.set_data_handle(c);
  dnnl_exec_arg_t args[5] = {
      {DNNL_ARG_SRC, e.a.get()}, {DNNL_ARG_WEIGHTS, e.b.get()}, {DNNL_ARG_DST, e.c.get()}};
  int count = 3;
  if (shape.has_bias) {
    e.bias.set_data_handle(const_cast<float*>(bias));
    args[count++] = {DNNL_ARG_BIAS, e.bias.get()};
  }
  args[count++] = {DNNL_ARG_SCRATCHPAD, e.scratchpad.get()};
  execute(e.primitive, args, count);
  if (e.result.dense) {
    e.result.user.set_data_handle(c);
    execute(e.result.place,
            {{DNNL_ARG_FROM, e.result.dense.get()}, {DNNL_ARG_TO, e.result.user.get()}});
  }
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
  s.c_row = g.c_transposed ? 1 : g.ldc;
  s.c_col = g.c_transposed ? g.ldc : 1;
  s.accumulate = g.accumulate;
  s.has_bias = g.bias != nullptr;
  s.bf16 = g.bf16;
  matmul(s, g.a.data, g.b.data, g.c, g.bias);
}

}  // namespace rnmt
