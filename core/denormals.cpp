#include "core/denormals.hpp"

#include <pmmintrin.h>
#include <xmmintrin.h>

namespace rnmt {

namespace {
void set_on_this_thread() {
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
}
}  // namespace

void flush_denormals_to_zero() {
  set_on_this_thread();
#pragma omp parallel
  set_on_this_thread();
}

}  // namespace rnmt
