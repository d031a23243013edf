#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace rnmt {

// A Prometheus histogram: cumulative counts per upper bound, their sum and count.
struct Histogram {
  std::vector<double> bounds;   // ascending upper bounds; +Inf is implied
  std::vector<int64_t> counts;  // [bounds + 1] per bucket (not cumulative)
  double sum = 0;
  int64_t count = 0;
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
};

// The server's counters, written in Prometheus' text exposition format (version 0.0.4) by
// GET /metrics. Thread-safe.
class ServerMetrics {
 public:
  ServerMetrics();
  void request(const std::string& path, int status, double seconds, int64_t lines);
  void batch(int64_t lines);
  void set_queue(int64_t lines);
  void set_in_flight(int64_t requests);
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, int64_t> requests_;  // (path, status) -> count
  int64_t lines_ = 0, errors_ = 0, queue_ = 0, in_flight_ = 0;
  Histogram latency_, batch_size_;
};

}  // namespace rnmt
