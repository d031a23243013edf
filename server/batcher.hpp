#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rnmt/translator.hpp"
#include "server/metrics.hpp"

namespace rnmt {

using Clock = std::chrono::steady_clock;

// One request's lines on their way through the batcher, and their results.
struct PendingRequest {
  PendingRequest(std::vector<std::string> lines, TranslationOptions options, std::string batch_key);
  // True once every line is done (results or error); false when the deadline came first, and
  // then the lines still queued are dropped.
  bool wait_until(Clock::time_point deadline);

  const std::vector<std::string> lines;
  const TranslationOptions options;  // target_prefix: one per line or none
  const std::string batch_key;       // lines batch together only with lines of the same key
  const Clock::time_point submitted;

  std::mutex mutex;
  std::condition_variable done;
  std::vector<TranslationResult> results;  // [lines]
  size_t remaining;
  std::string error;  // the first line's error, if any (the request then fails)
  bool cancelled = false;
};

struct BatcherOptions {
  int64_t max_batch_size = 32;     // lines translated together
  int64_t max_delay_ms = 5;        // how long the oldest line waits for others to join it
  int64_t max_queue_lines = 4096;  // beyond this, submit() refuses (the server answers 503)
  int workers = 1;                 // batches translated side by side
  int threads_per_batch = 1;       // CPU threads of each
};

// Lines from concurrent requests join one queue; a worker takes a batch of lines with the same
// options when it reaches max_batch_size or its oldest line has waited max_delay_ms, translates
// it and hands each result back to its request. The idle workers share the waiting lines: a worker
// takes at most its share, so that one thread does not get a large batch while another gets a
// small one (each worker's batch runs on its own threads). A batch that fails (a line the tokenizer
// refuses) is translated again line by line, so one request's bad line fails only that request.
class Batcher {
 public:
  Batcher(const Translator& translator, BatcherOptions options, ServerMetrics& metrics);
  ~Batcher();  // finishes every queued line, then stops the workers
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // False when the queue has no room for the request's lines.
  bool submit(const std::shared_ptr<PendingRequest>& request);
  // From now on batches go without waiting for lines to join them (the server is stopping).
  void flush();

 private:
  struct Job {
    std::shared_ptr<PendingRequest> request;
    size_t index;  // the line within its request
  };
  void work();
  std::vector<Job> take_batch(std::unique_lock<std::mutex>& lock, Clock::time_point free_since);
  void translate(const std::vector<Job>& batch);

  const Translator& translator_;
  const BatcherOptions options_;
  ServerMetrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  bool stopping_ = false, flushing_ = false;
  int busy_workers_ = 0;  // translating a batch now
  std::vector<std::thread> workers_;
};

}  // namespace rnmt
