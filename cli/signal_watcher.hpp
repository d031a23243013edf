#pragma once
#include <signal.h>

#include <atomic>
#include <thread>

#include "core/run_context.hpp"

namespace rnmt::cli {

// SIGINT and SIGTERM during `rnmt run` and `rnmt sweep`: the first asks the run to stop (training
// writes a checkpoint; exit status 130), a second ends the process at once with 128 + the signal.
// They are blocked before any worker thread exists (threads inherit the mask), and one watcher
// thread receives them with sigwait: a handler would instead run on whichever thread the kernel
// picks, OpenMP workers inside oneDNN kernels included. The library never sees a signal; the
// command line owns them.
class SignalWatcher {
 public:
  explicit SignalWatcher(StopToken stop);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  StopToken stop_;
  sigset_t set_{}, previous_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The path of this executable: what $RNMT names in a recipe's data.prepare.
std::string this_executable();

}  // namespace rnmt::cli
