#include "core/crash_point.hpp"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>

namespace rnmt {
namespace {

struct Armed {
  std::mutex mutex;
  std::string point;  // empty: disarmed
  int pass = 1;
  int seen = 0;
  Armed() {
    const char* spec = std::getenv("RNMT_CRASH_AT");
    if (!spec) return;
    point = spec;
    if (const auto colon = point.find(':'); colon != std::string::npos) {
      pass = std::atoi(point.c_str() + colon + 1);
      point.resize(colon);
    }
  }
};

Armed& armed() {
  static Armed a;
  return a;
}

}  // namespace

void set_crash_point(const char* point, int pass) {
  std::lock_guard lock(armed().mutex);
  armed().point = point;
  armed().pass = pass;
  armed().seen = 0;
}

void crash_point(const char* point) {
  Armed& a = armed();
  std::lock_guard lock(a.mutex);
  if (a.point.empty() || a.point != point || ++a.seen != a.pass) return;
  std::raise(SIGKILL);
}

}  // namespace rnmt
