#pragma once

namespace rnmt {

// Sets flush-to-zero and denormals-are-zero (MXCSR) on the calling thread and on every thread of
// the OpenMP team a parallel region starts now. Gradients of tiny magnitude (attention's, early in
// training) are often denormal, and Intel cores take a microcode assist on each denormal operand:
// measured on a Xeon with AMX, attention's backward products ran at 14 GFLOP/s instead of 320. The
// flags are per thread: the model sets them at each training step and each search (the team may
// have grown since, and a translation worker may run on another thread).
// Values below 1.2e-38 become zero, far below anything training or search can resolve.
void flush_denormals_to_zero();

}  // namespace rnmt
