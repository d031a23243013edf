#pragma once
#include <omp.h>

#include <cstdint>

namespace rnmt {

inline int64_t omp_get_num_threads_safe() {
  return static_cast<int64_t>(omp_get_num_threads());
}
inline int64_t omp_get_thread_num_safe() {
  return static_cast<int64_t>(omp_get_thread_num());
}

}  // namespace rnmt
