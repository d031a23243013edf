#pragma once
#include <omp.h>

#include <cstdint>
#include <utility>

namespace rnmt {

// Inside an OpenMP parallel region: this thread's contiguous share [begin, end) of `total` items.
// Used where threads must own disjoint columns (scatter-adds that would race if split by rows).
inline std::pair<int64_t, int64_t> thread_share(int64_t total) {
  const int64_t threads = omp_get_num_threads(), me = omp_get_thread_num();
  return {total * me / threads, total * (me + 1) / threads};
}

}  // namespace rnmt
