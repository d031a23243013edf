#pragma once
// rnmt::Error is part of the public API (include/rnmt/error.hpp); the library uses it throughout.
#include "rnmt/error.hpp"
