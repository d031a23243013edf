#include "core/run_context.hpp"

namespace rnmt {

bool RunContext::stop_requested() const {
  if (stop.requested()) return true;
  if (check_stop && check_stop()) {
    stop.request();
    return true;
  }
  return false;
}

bool RunContext::deadline_passed() const {
  return deadline && std::chrono::steady_clock::now() >= *deadline;
}

void stop_point(const RunContext& context) {
  if (context.stop_requested()) throw Interrupted();
}

}  // namespace rnmt
