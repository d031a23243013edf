#include "rnmt/version.hpp"

namespace rnmt {

const char* version() {
  return RNMT_VERSION;
}

}  // namespace rnmt
