#pragma once
#include <string>

namespace rnmt {

// A test hook for "nothing is lost": with RNMT_CRASH_AT=POINT[@TEXT][:N] in the environment (or
// after set_crash_point), the N-th pass (default 1) through crash_point(POINT, detail) whose detail
// contains TEXT kills the process with SIGKILL, as a power cut or the OOM killer would, at a moment
// a random kill rarely hits: half way through writing a file, just before its rename (the detail
// is the file's path). POINT[@TEXT][:N]=error throws an rnmt::Error there instead, as a failure
// would (how one MPI rank's error ends the others is tested so). The variable is read at start-up
// and removed, so child processes do not inherit it. Costs a check of an empty string when unset.
void crash_point(const char* point, const std::string& detail = "");
void set_crash_point(const std::string& spec);  // POINT[@TEXT][:N][=error], as the variable

}  // namespace rnmt
