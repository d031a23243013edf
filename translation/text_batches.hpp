#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "model/batch.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

// Lines in batches of similar length: `order` holds the indices of the non-empty sentences sorted
// by length, and each batch a range [begin, end) of it, longest batches first (so the last batch a
// worker takes is a short one). A batch holds at most max_batch_size sentences, and with
// max_batch_tokens > 0 at most that many padded positions.
struct TextBatches {
  std::vector<size_t> order;
  std::vector<std::pair<size_t, size_t>> batches;
};
TextBatches plan_batches(const std::vector<Sentence>& sentences, int64_t max_batch_size,
                         int64_t max_batch_tokens);

// Runs work(worker, batch) for batches 0 .. count-1, shared out among the workers, one thread
// each, with `threads` CPU threads divided between them (the calling thread is the first worker).
// After each batch, `done(batch)` runs under a lock. The first error stops the other workers
// taking batches and is rethrown.
void run_batches(const std::vector<TranslationModel>& workers, size_t count, int threads,
                 const std::function<void(const TranslationModel& worker, size_t batch)>& work,
                 const std::function<void(size_t batch)>& done);

}  // namespace rnmt
