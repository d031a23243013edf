#include "distributed/communicator.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.hpp"

namespace rnmt {

Communicator& local_communicator() {
  static LocalCommunicator alone;
  return alone;
}

bool lead_decides(Communicator& comm, bool value) {
  double flag = value ? 1 : 0;
  comm.broadcast(&flag, 1);
  return flag != 0;
}

uint64_t checksum(const float* data, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    uint32_t word;
    std::memcpy(&word, data + i, sizeof word);
    h = (h ^ word) * 1099511628211ull;
  }
  return h;
}

void require_same_weights(Communicator& comm, const float* weights, size_t n, int64_t step) {
  if (comm.agree(checksum(weights, n))) return;
  throw Error("the ranks hold different weights at step " + std::to_string(step) +
              " (a rank computed differently: mixed builds or CPUs?); training stopped");
}

int launched_world_size() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(variable); value && *value) {
      const int n = std::atoi(value);
      if (n > 0) return n;
    }
  }
  return 1;
}

}  // namespace rnmt
