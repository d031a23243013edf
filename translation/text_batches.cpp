#include "translation/text_batches.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/dnnl_context.hpp"

namespace rnmt {

TextBatches plan_batches(const std::vector<Sentence>& sentences, int64_t max_batch_size,
                         int64_t max_batch_tokens) {
  TextBatches plan;
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (!sentences[i].empty()) plan.order.push_back(i);
  }
  auto& order = plan.order;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sentences[a].size() < sentences[b].size(); });
  for (size_t begin = 0; begin < order.size();) {
    // Sorted by length, the batch's padded size is its line count times the last line's length.
    size_t end = begin + 1;
    while (end < order.size() && static_cast<int64_t>(end - begin) < max_batch_size &&
           (max_batch_tokens == 0 ||
            static_cast<int64_t>((end - begin + 1) * sentences[order[end]].size()) <=
                max_batch_tokens)) {
      ++end;
    }
    plan.batches.emplace_back(begin, end);
    begin = end;
  }
  std::reverse(plan.batches.begin(), plan.batches.end());
  return plan;
}

void run_batches(const std::vector<TranslationModel>& workers, size_t count, int threads,
                 const std::function<void(const TranslationModel& worker, size_t batch)>& work,
                 const std::function<void(size_t batch)>& done) {
  const auto used = static_cast<size_t>(std::max<int64_t>(
      1, std::min<int64_t>({static_cast<int64_t>(workers.size()), static_cast<int64_t>(count),
                            static_cast<int64_t>(threads)})));
  // The caller's OpenMP thread count, given back however this ends.
  struct RestoreThreads {
    int threads = omp_get_max_threads();
    ~RestoreThreads() { omp_set_num_threads(threads); }
  } restore;
  std::atomic<size_t> next_batch{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr error;
  auto run = [&](const TranslationModel& worker, int intra_threads) {
    try {
      set_threads(intra_threads);
      for (size_t b; !failed && (b = next_batch++) < count;) {
        work(worker, b);
        std::lock_guard lock(mutex);
        done(b);
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  if (used == 1) {
    run(workers.front(), threads);
  } else {
    // Threads split as evenly as they go; the calling thread is the first worker.
    const int n = static_cast<int>(used);
    const auto share = [&](int i) { return std::max(1, threads / n + (i < threads % n)); };
    std::vector<std::thread> helpers;
    for (int i = 1; i < n; ++i) helpers.emplace_back(run, std::cref(workers[i]), share(i));
    run(workers.front(), share(0));
    for (auto& t : helpers) t.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace rnmt
