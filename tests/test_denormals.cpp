// flush_denormals_to_zero: a denormal result becomes zero on the calling thread and on every thread
// of the OpenMP team.
#include <catch2/catch.hpp>

#include <omp.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <cfloat>
#include <vector>

#include "core/denormals.hpp"

using namespace rnmt;

namespace {
// Half of the smallest normal float: denormal unless flushed. volatile: computed at run time, under
// the thread's MXCSR, not folded by the compiler.
bool denormal_result_flushed() {
  volatile float smallest = FLT_MIN;
  volatile float half = 0.5f;
  return smallest * half == 0.0f;
}

void keep_denormals_on_this_thread() {
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_OFF);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_OFF);
}

// Whether each thread of the team flushes (one entry per thread).
std::vector<int> team_flushes() {
  std::vector<int> flushed(static_cast<size_t>(omp_get_max_threads()), -1);
#pragma omp parallel
  flushed[static_cast<size_t>(omp_get_thread_num())] = denormal_result_flushed() ? 1 : 0;
  return flushed;
}
}  // namespace

TEST_CASE("flush_denormals_to_zero flushes on the caller and the whole OpenMP team") {
  // Start from IEEE behaviour everywhere (an earlier case in this process may have flushed).
  keep_denormals_on_this_thread();
#pragma omp parallel
  keep_denormals_on_this_thread();
  REQUIRE_FALSE(denormal_result_flushed());
  for (int flushed : team_flushes()) REQUIRE(flushed == 0);

  flush_denormals_to_zero();
  CHECK(denormal_result_flushed());
  for (int flushed : team_flushes()) CHECK(flushed == 1);
  // Normal numbers are untouched.
  volatile float x = 1e-30f;
  CHECK(x * 0.5f == 5e-31f);
}
