#pragma once
#include <sched.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/thread_pinning.hpp"

namespace rnmt {

// Training's OpenMP thread count, lowered while other processes want the CPUs and raised again
// when they leave. Training's threads meet at a barrier many times a step, so a thread that shares
// its CPU with a busy process holds up all of them: on 2 cores beside one busy process at nice 0,
// two threads made 42% of their figure alone and one thread 52% (docs/performance.md, "Sharing the
// machine").
//
// The signal is the time our threads spent runnable but waiting for a CPU (the kernel's
// /proc/self/task/*/schedstat): a quarter of a CPU or more over a window of steps means another
// process holds a CPU we want, and one thread goes. With fewer threads than configured, one comes
// back when a CPU stands idle (/proc/stat), and also on trial from time to time (a nice-19 job
// leaves no CPU idle, yet costs two threads almost nothing): the trial stays if nobody made our
// threads wait, and otherwise the next trial waits twice as long (up to 8 minutes).
//
// Changing the count changes no result: training gives the same weights, bit for bit, on any
// thread count (tests/test_trainer.cpp).
class LoadFollowingThreads {
 public:
  // Sets `threads` threads and pins them as ThreadPinning does. With follow_load false, or one
  // thread, or where the kernel does not report waiting time, the count stays as given. The
  // destructor gives the caller back its OpenMP thread count and its threads their CPUs.
  LoadFollowingThreads(int threads, bool follow_load);
  ~LoadFollowingThreads();
  LoadFollowingThreads(const LoadFollowingThreads&) = delete;
  LoadFollowingThreads& operator=(const LoadFollowingThreads&) = delete;

  // After each step: every 2 seconds or so, may change the count for the next step; returns a line
  // for the log when it did, else "".
  std::string step_finished();

  int threads() const { return threads_; }
  // For the log: the count, the pinning, and whether it follows the load.
  std::string description() const;

 private:
  struct Sample {
    double wall = 0, waiting = 0, idle = 0;  // seconds; waiting and idle summed over threads, CPUs
  };
  Sample sample() const;
  std::string set_threads(int threads, const std::string& why);

  int configured_, threads_, caller_threads_;
  bool follow_;
  std::string not_following_;  // why not, for the log
  cpu_set_t cpus_{};           // the CPUs this process may use, as it started
  std::unique_ptr<ThreadPinning> pinning_;
  Sample window_start_{};
  double at_reduced_ = 0;    // seconds at this reduced count since it was set or last tried
  double trial_after_ = 30;  // seconds at a reduced count before the next trial
  bool in_trial_ = false;
};

}  // namespace rnmt
