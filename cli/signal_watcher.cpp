#include "cli/signal_watcher.hpp"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace rnmt::cli {

SignalWatcher::SignalWatcher(StopToken stop) : stop_(std::move(stop)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  thread_ = std::thread([this] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0) continue;
      if (done_) return;
      if (stop_.requested()) {
        std::fprintf(stderr, "\n%s again: stopping now\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        std::_Exit(128 + signal);
      }
      stop_.request();
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);  // wakes the watcher, which sees done_
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

std::string this_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

}  // namespace rnmt::cli
