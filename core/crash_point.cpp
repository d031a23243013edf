#include "core/crash_point.hpp"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rnmt {
namespace {

struct Armed {
  std::mutex mutex;
  std::string point;  // empty: disarmed
  std::string text;   // what the detail must contain
  int pass = 1;
  int seen = 0;
  bool error = false;  // "=error": throw an Error instead of dying

  void arm(std::string spec) {
    pass = 1;
    seen = 0;
    constexpr std::string_view kError = "=error";
    error = spec.size() >= kError.size() &&
            spec.compare(spec.size() - kError.size(), kError.size(), kError) == 0;
    if (error) spec.resize(spec.size() - kError.size());
    if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
      pass = std::atoi(spec.c_str() + colon + 1);
      spec.resize(colon);
    }
    text.clear();
    if (const auto at = spec.find('@'); at != std::string::npos) {
      text = spec.substr(at + 1);
      spec.resize(at);
    }
    point = spec;
  }
  Armed() {
    if (const char* spec = std::getenv("RNMT_CRASH_AT")) {
      arm(spec);
      unsetenv("RNMT_CRASH_AT");  // this process only: not a data.prepare command it starts
    }
  }
};

Armed& armed() {
  static Armed a;
  return a;
}

// Read at start-up, before any child process can be started with the variable still set.
[[maybe_unused]] const Armed& g_read_at_start = armed();

}  // namespace

void set_crash_point(const std::string& spec) {
  std::lock_guard lock(armed().mutex);
  armed().arm(spec);
}

void crash_point(const char* point, const std::string& detail) {
  Armed& a = armed();
  std::lock_guard lock(a.mutex);
  if (a.point.empty() || a.point != point || detail.find(a.text) == std::string::npos) return;
  if (++a.seen != a.pass) return;
  if (a.error) throw Error(std::string("an error injected at ") + point + " (RNMT_CRASH_AT)");
  std::raise(SIGKILL);
}

}  // namespace rnmt
