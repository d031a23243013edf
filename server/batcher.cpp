#include "server/batcher.hpp"

#include <algorithm>
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

namespace {

bool cancelled(const std::shared_ptr<PendingRequest>& request) {
  std::lock_guard lock(request->mutex);
  return request->cancelled;
}

}  // namespace

// Under the lock: the next batch, once it is full or its oldest line has waited long enough (at
// once while stopping); empty when there is nothing to do yet.
std::vector<Batcher::Job> Batcher::take_batch(std::unique_lock<std::mutex>& lock,
                                              Clock::time_point free_since) {
  while (!queue_.empty() && cancelled(queue_.front().request)) queue_.pop_front();
  if (queue_.empty()) return {};
  const std::string key = queue_.front().request->batch_key;
  size_t matching = 0;
  for (const Job& job : queue_) matching += job.request->batch_key == key;
  const auto idle =
      static_cast<size_t>(std::max(1, static_cast<int>(workers_.size()) - busy_workers_));
  const size_t share = (matching + idle - 1) / idle;  // this worker's part of what waits
  const size_t max = std::min(static_cast<size_t>(options_.max_batch_size), share);
  // The delay counts from the oldest line's arrival or from when this worker became free,
  // whichever is later: a worker back from a batch gives the answered clients' next lines the
  // chance to join the lines that waited meanwhile, so that small batches merge instead of
  // taking turns.
  const Clock::time_point ready = std::max(queue_.front().request->submitted, free_since) +
                                  std::chrono::milliseconds(options_.max_delay_ms);
  if (matching < static_cast<size_t>(options_.max_batch_size) && !stopping_ && !flushing_ &&
      Clock::now() < ready) {
    changed_.wait_until(lock, ready);
    return {};
  }
  // More lines wait than the batch takes: the oldest line and those closest to it in length, so
  // that the batch pads little (the rest keep their order).
  std::vector<size_t> candidates;
  for (size_t i = 0; i < queue_.size(); ++i)
    if (queue_[i].request->batch_key == key && !cancelled(queue_[i].request))
      candidates.push_back(i);
  if (candidates.size() > max) {
    const auto length = [&](size_t i) {
      return static_cast<int64_t>(queue_[i].request->lines[queue_[i].index].size());
    };
    const int64_t oldest = length(candidates.front());
    std::stable_sort(candidates.begin() + 1, candidates.end(), [&](size_t a, size_t b) {
      return std::abs(length(a) - oldest) < std::abs(length(b) - oldest);
    });
    candidates.resize(max);
  }
  std::vector<bool> chosen(queue_.size(), false);
  for (size_t i : candidates) chosen[i] = true;
  std::vector<Job> batch;
  std::deque<Job> rest;
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (chosen[i])
      batch.push_back(std::move(queue_[i]));
    else if (!cancelled(queue_[i].request))
      rest.push_back(std::move(queue_[i]));
  }
  queue_.swap(rest);
  metrics_.set_queue(static_cast<int64_t>(queue_.size()));
  return batch;
}

void Batcher::work() {
  std::unique_lock lock(mutex_);
  Clock::time_point free_since = Clock::now();
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::vector<Job> batch = take_batch(lock, free_since);
    if (batch.empty()) continue;
    ++busy_workers_;
    lock.unlock();
    translate(batch);
    lock.lock();
    --busy_workers_;
    free_since = Clock::now();
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
