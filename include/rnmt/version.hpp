#pragma once

namespace rnmt {

// This rnmt's version, e.g. "0.1.0" (the CMake project's). Every file rnmt writes records it in a
// "written_by" section, and a file of a newer format is refused naming both.
const char* version();

}  // namespace rnmt
