#include "distributed/allreduce_bench.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace rnmt {

AllreduceBenchResult bench_allreduce(Communicator& comm, size_t floats, size_t bucket_floats,
                                     int repeats) {
  std::vector<float> buffer(floats, 1.0f);  // [floats], a gradient arena's size
  std::vector<double> seconds;              // one per repeat, after a warm-up
  for (int i = -1; i < repeats; ++i) {
    comm.barrier();
    const auto start = std::chrono::steady_clock::now();
    for (size_t begin = 0; begin < floats; begin += bucket_floats)
      comm.start_sum(buffer.data() + begin, std::min(bucket_floats, floats - begin));
    comm.finish_sums();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 0) seconds.push_back(s);
  }
  AllreduceBenchResult r;
  if (seconds.empty()) return r;
  std::sort(seconds.begin(), seconds.end());
  r.median_seconds = seconds[seconds.size() / 2];
  r.fastest_seconds = seconds.front();
  const double n = comm.size();
  r.bus_gigabytes_per_second =
      2 * (n - 1) / n * static_cast<double>(floats * sizeof(float)) / r.median_seconds / 1e9;
  return r;
}

}  // namespace rnmt
