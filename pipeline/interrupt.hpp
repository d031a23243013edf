#pragma once
#include <atomic>
#include <chrono>
#include <csignal>
#include <optional>
#include <thread>

namespace rnmt {

// SIGINT and SIGTERM during `rnmt run`. They are blocked before any worker thread exists (threads
// inherit the mask), and one watcher thread receives them with sigwait: a handler would instead run
// on whichever thread the kernel picks, OpenMP workers inside oneDNN kernels included. While
// training accepts stop requests, a signal asks the loop to write a checkpoint and stop; in the
// other stages, whose files are all written atomically, it ends the process at once.
class InterruptWatcher {
 public:
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

 private:
  sigset_t set_{}, previous_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The training loop's side: while a StopRequests exists, signals become requests it polls.
class StopRequests {
 public:
  StopRequests();
  ~StopRequests();
  StopRequests(const StopRequests&) = delete;
  StopRequests& operator=(const StopRequests&) = delete;
  bool requested() const;  // a signal came, or the stop deadline passed
  bool deadline_passed() const;
};

// A time at which training loops stop as if interrupted (a checkpoint, then exit status 130):
// rnmt sweep's --budget. None (the default) when nullopt.
void set_stop_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);
// Whether that deadline has passed (false when there is none).
bool stop_deadline_passed();

}  // namespace rnmt
