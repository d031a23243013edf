#pragma once
#include <sched.h>

#include <string>

namespace rnmt {

// Training's OpenMP threads meet at a barrier many times a step, so a thread the scheduler moves
// or parks beside another process stalls the others. When a process's threads are as many as the
// CPUs it may use (the whole machine, or its whole cpuset), pinning thread k to the k-th CPU keeps
// each on a CPU of its own. Measured beside a loop starting short processes at nice 19 (2 cores,
// Zen 4): unpinned, 375 to 2,966 target tokens/s from run to run (our two threads sometimes end up
// sharing one core); pinned, 2,726 to 3,008 in every run (docs/performance.md).
//
// The object pins for its lifetime and then gives every thread back the CPUs it had. It does
// nothing when the user chose a placement (OMP_PROC_BIND, OMP_PLACES or GOMP_CPU_AFFINITY is set:
// OMP_PROC_BIND=false turns pinning off), for one thread, or for fewer threads than CPUs (two
// processes pinned to the same first CPUs would share them while the others idle).
class ThreadPinning {
 public:
  explicit ThreadPinning(int threads);
  ~ThreadPinning();
  ThreadPinning(const ThreadPinning&) = delete;
  ThreadPinning& operator=(const ThreadPinning&) = delete;
  // For the log: "pinned one per CPU", or why not.
  const std::string& description() const { return description_; }
  bool pinned() const { return pinned_; }

 private:
  int threads_ = 0;
  bool pinned_ = false;
  cpu_set_t original_{};
  std::string description_;
};

}  // namespace rnmt
