#include "server/batcher.hpp"

#include <exception>

namespace rnmt {

PendingRequest::PendingRequest(std::vector<std::string> lines_in, TranslationOptions options_in,
                               std::string key)
    : lines(std::move(lines_in)),
      options(std::move(options_in)),
      batch_key(std::move(key)),
      submitted(Clock::now()),
      results(lines.size()),
      remaining(lines.size()) {}

bool PendingRequest::wait_until(Clock::time_point deadline) {
  std::unique_lock lock(mutex);
  if (done.wait_until(lock, deadline, [&] { return remaining == 0; })) return true;
  cancelled = true;
  return false;
}

Batcher::Batcher(const Translator& translator, BatcherOptions options, ServerMetrics& metrics)
    : translator_(translator), options_(options), metrics_(metrics) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { work(); });
}

Batcher::~Batcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
}

bool Batcher::submit(const std::shared_ptr<PendingRequest>& request) {
  {
    std::lock_guard lock(mutex_);
    if (static_cast<int64_t>(queue_.size() + request->lines.size()) > options_.max_queue_lines)
      return false;
    for (size_t i = 0; i < request->lines.size(); ++i) queue_.push_back({request, i});
    metrics_.set_queue(static_cast<int64_t>(queue_.size()));
  }
  changed_.notify_all();
  return true;
}

void Batcher::flush() {
  {
    std::lock_guard lock(mutex_);
    flushing_ = true;
  }
  changed_.notify_all();
}

int64_t Batcher::queued_lines() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(queue_.size());
}

namespace {

bool cancelled(const std::shared_ptr<PendingRequest>& request) {
  std::lock_guard lock(request->mutex);
  return request->cancelled;
}

}  // namespace

// Under the lock: the next batch, once it is full or its oldest line has waited long enough (at
// once while stopping); empty when there is nothing to do yet.
std::vector<Batcher::Job> Batcher::take_batch(std::unique_lock<std::mutex>& lock) {
  while (!queue_.empty() && cancelled(queue_.front().request)) queue_.pop_front();
  if (queue_.empty()) return {};
  const std::string key = queue_.front().request->batch_key;
  const auto max = static_cast<size_t>(options_.max_batch_size);
  size_t matching = 0;
  for (const Job& job : queue_) matching += job.request->batch_key == key;
  const Clock::time_point ready =
      queue_.front().request->submitted + std::chrono::milliseconds(options_.max_delay_ms);
  if (matching < max && !stopping_ && !flushing_ && Clock::now() < ready) {
    changed_.wait_until(lock, ready);
    return {};
  }
  std::vector<Job> batch;
  std::deque<Job> rest;
  for (Job& job : queue_) {
    if (batch.size() < max && job.request->batch_key == key && !cancelled(job.request))
      batch.push_back(std::move(job));
    else if (!cancelled(job.request))
      rest.push_back(std::move(job));
  }
  queue_.swap(rest);
  metrics_.set_queue(static_cast<int64_t>(queue_.size()));
  return batch;
}

void Batcher::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::vector<Job> batch = take_batch(lock);
    if (batch.empty()) continue;
    lock.unlock();
    translate(batch);
    lock.lock();
  }
}

void Batcher::translate(const std::vector<Job>& batch) {
  metrics_.batch(static_cast<int64_t>(batch.size()));
  TranslationOptions options = batch.front().request->options;
  options.max_batch_size = static_cast<int64_t>(batch.size());
  options.max_batch_tokens = 0;
  options.threads = options_.threads_per_batch;
  std::vector<std::string> lines;
  options.target_prefix.clear();
  const bool prefixes = !batch.front().request->options.target_prefix.empty();
  for (const Job& job : batch) {
    lines.push_back(job.request->lines[job.index]);
    if (prefixes) options.target_prefix.push_back(job.request->options.target_prefix[job.index]);
  }
  auto deliver = [](const Job& job, TranslationResult* result, const std::string& error) {
    std::lock_guard lock(job.request->mutex);
    if (result) job.request->results[job.index] = std::move(*result);
    if (!error.empty() && job.request->error.empty()) job.request->error = error;
    if (--job.request->remaining == 0) job.request->done.notify_all();
  };
  // Lines numbered as in their request when the batch is a run of one request's lines: seeded
  // sampling draws from (seed, line number), so a request's samples do not depend on batching.
  int64_t first_line = 1;
  bool one_run = true;
  for (size_t i = 1; i < batch.size(); ++i)
    one_run =
        one_run && batch[i].request == batch[0].request && batch[i].index == batch[0].index + i;
  if (one_run) first_line = static_cast<int64_t>(batch.front().index) + 1;
  try {
    std::vector<TranslationResult> results =
        translator_.translate(lines, options, nullptr, first_line);
    for (size_t i = 0; i < batch.size(); ++i) deliver(batch[i], &results[i], "");
    return;
  } catch (const std::exception&) {  // below: line by line, each with its own line number
  }
  for (size_t i = 0; i < batch.size(); ++i) {  // line by line: only the bad lines fail
    TranslationOptions one = options;
    one.max_batch_size = 1;
    if (prefixes) one.target_prefix = {options.target_prefix[i]};
    try {
      std::vector<TranslationResult> result =
          translator_.translate({lines[i]}, one, nullptr, static_cast<int64_t>(batch[i].index) + 1);
      deliver(batch[i], &result.front(), "");
    } catch (const std::exception& e) {
      deliver(batch[i], nullptr, e.what());
    }
  }
}

}  // namespace rnmt
