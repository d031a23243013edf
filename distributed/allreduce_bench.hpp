#pragma once
#include <cstddef>

#include "distributed/communicator.hpp"

namespace rnmt {

struct AllreduceBenchResult {
  double median_seconds = 0, fastest_seconds = 0;  // one sum of the whole buffer over the ranks
  // The ring all-reduce's bus bandwidth, 2 (n-1)/n · bytes / time: what each link carried per
  // second, comparable across rank counts and with a network's rated speed.
  double bus_gigabytes_per_second = 0;
};

// Times summing `floats` floats over the ranks, in buckets of `bucket_floats` started together as
// the gradient sum of a training step does, `repeats` times after one warm-up (ranks aligned by a
// barrier before each).
AllreduceBenchResult bench_allreduce(Communicator& comm, size_t floats, size_t bucket_floats,
                                     int repeats);

}  // namespace rnmt
