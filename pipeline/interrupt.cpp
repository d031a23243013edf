#include "pipeline/interrupt.hpp"

#include <pthread.h>
#include <cstdio>
#include <cstdlib>

namespace rnmt {
namespace {
std::atomic<bool> g_stop{false};      // a stop request for the training loop
std::atomic<bool> g_training{false};  // whether a stop request can be honoured gracefully
// set_stop_deadline's time in steady_clock ticks; max: none
std::atomic<std::chrono::steady_clock::rep> g_deadline{
    std::chrono::steady_clock::duration::max().count()};
}  // namespace

void set_stop_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  g_deadline = deadline ? deadline->time_since_epoch().count()
                        : std::chrono::steady_clock::duration::max().count();
}

InterruptWatcher::InterruptWatcher() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  thread_ = std::thread([this] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0) continue;
      if (done_) return;
      if (g_training) {
        g_stop = true;
      } else {
        std::fprintf(stderr, "\ninterrupted\n");
        std::_Exit(128 + signal);
      }
    }
  });
}

InterruptWatcher::~InterruptWatcher() {
  done_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);  // wakes the watcher, which sees done_
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

StopRequests::StopRequests() {
  g_stop = false;
  g_training = true;
}

StopRequests::~StopRequests() {
  g_training = false;
}

bool StopRequests::requested() const {
  return g_stop || deadline_passed();
}

bool StopRequests::deadline_passed() const {
  return stop_deadline_passed();
}

bool stop_deadline_passed() {
  return std::chrono::steady_clock::now().time_since_epoch().count() >= g_deadline;
}

}  // namespace rnmt
