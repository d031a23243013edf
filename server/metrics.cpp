#include "server/metrics.hpp"

#include <algorithm>
#include <sstream>

namespace rnmt {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

void Histogram::observe(double value) {
  const size_t bucket =
      static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
  ++counts[bucket];
  sum += value;
  ++count;
}

ServerMetrics::ServerMetrics()
    : latency_({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      batch_size_({1, 2, 4, 8, 16, 32, 64, 128, 256}) {}

void ServerMetrics::request(const std::string& path, int status, double seconds, int64_t lines) {
  std::lock_guard lock(mutex_);
  ++requests_[{path, status}];
  if (status >= 400) ++errors_;
  if (status < 400) lines_ += lines;
  if (path == "/translate" || path == "/translator/translate") latency_.observe(seconds);
}

void ServerMetrics::batch(int64_t lines) {
  std::lock_guard lock(mutex_);
  batch_size_.observe(static_cast<double>(lines));
}

void ServerMetrics::set_queue(int64_t lines) {
  std::lock_guard lock(mutex_);
  queue_ = lines;
}

void ServerMetrics::set_in_flight(int64_t requests) {
  std::lock_guard lock(mutex_);
  in_flight_ = requests;
}

namespace {

void write_histogram(std::ostream& out, const std::string& name, const std::string& help,
                     const Histogram& h) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    out << name << "_bucket{le=\"" << h.bounds[i] << "\"} " << cumulative << "\n";
  }
  out << name << "_bucket{le=\"+Inf\"} " << h.count << "\n";
  out << name << "_sum " << h.sum << "\n" << name << "_count " << h.count << "\n";
}

}  // namespace

std::string ServerMetrics::text() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP rnmt_requests_total HTTP requests answered, by path and status.\n"
      << "# TYPE rnmt_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "rnmt_requests_total{path=\"" << key.first << "\",code=\"" << key.second << "\"} "
        << count << "\n";
  out << "# HELP rnmt_lines_total Lines translated for successful requests.\n"
      << "# TYPE rnmt_lines_total counter\nrnmt_lines_total " << lines_ << "\n"
      << "# HELP rnmt_errors_total Requests answered with a 4xx or 5xx status.\n"
      << "# TYPE rnmt_errors_total counter\nrnmt_errors_total " << errors_ << "\n"
      << "# HELP rnmt_queue_lines Lines waiting to be batched.\n"
      << "# TYPE rnmt_queue_lines gauge\nrnmt_queue_lines " << queue_ << "\n"
      << "# HELP rnmt_requests_in_flight Translate requests received and not yet answered.\n"
      << "# TYPE rnmt_requests_in_flight gauge\nrnmt_requests_in_flight " << in_flight_ << "\n";
  write_histogram(out, "rnmt_request_duration_seconds", "Time to answer a translate request.",
                  latency_);
  write_histogram(out, "rnmt_batch_lines", "Lines in each batch translated.", batch_size_);
  return out.str();
}

}  // namespace rnmt
