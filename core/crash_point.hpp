#pragma once

namespace rnmt {

// A test hook for "nothing is lost": with RNMT_CRASH_AT=POINT or POINT:N in the environment (or
// after set_crash_point), the N-th pass (default 1) through crash_point(POINT) kills the process
// with SIGKILL, as a power cut or the OOM killer would, at a moment a random kill rarely hits (half
// way through writing a file, just before a rename). Costs a string compare when unset.
void crash_point(const char* point);
void set_crash_point(const char* point, int pass = 1);

}  // namespace rnmt
