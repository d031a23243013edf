#include "core/thread_pinning.hpp"

#include <omp.h>
#include <pthread.h>

#include <cstdlib>
#include <vector>

namespace rnmt {
namespace {

// Each thread of a `threads`-wide OpenMP team gets its own CPU mask. libgomp keeps the threads of
// its pool from one parallel region to the next, so the pinning holds for the regions oneDNN and
// rnmt run with the same number of threads.
void set_team_affinity(int threads, const std::vector<cpu_set_t>& masks) {
#pragma omp parallel num_threads(threads)
  {
    const size_t me = static_cast<size_t>(omp_get_thread_num());
    pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t), &masks[me]);
  }
}

}  // namespace

ThreadPinning::ThreadPinning(int threads) : threads_(threads) {
  for (const char* variable : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"}) {
    if (std::getenv(variable)) {
      description_ = std::string("not pinned (") + variable + " is set)";
      return;
    }
  }
  if (threads < 2) {
    description_ = "nothing to pin";
    return;
  }
  if (sched_getaffinity(0, sizeof original_, &original_) != 0) {
    description_ = "not pinned (the CPUs this process may use are unknown)";
    return;
  }
  const int cpus = CPU_COUNT(&original_);
  if (threads != cpus) {
    description_ = "not pinned (" + std::to_string(threads) + " threads for " +
                   std::to_string(cpus) + " CPUs)";
    return;
  }
  std::vector<cpu_set_t> masks;
  for (int cpu = 0; cpu < CPU_SETSIZE && static_cast<int>(masks.size()) < threads; ++cpu) {
    if (!CPU_ISSET(cpu, &original_)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    masks.push_back(one);
  }
  set_team_affinity(threads, masks);
  pinned_ = true;
  description_ = "pinned one per CPU (OMP_PROC_BIND=false to leave them free)";
}

ThreadPinning::~ThreadPinning() {
  if (pinned_)
    set_team_affinity(threads_, std::vector<cpu_set_t>(static_cast<size_t>(threads_), original_));
}

}  // namespace rnmt
