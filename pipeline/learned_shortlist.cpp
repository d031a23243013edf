#include <chrono>
#include <iomanip>

#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"
#include "shortlist/learn_shortlist.hpp"

namespace rnmt {
namespace {

// How well the shortlist covers held-out data: the share of each reference's pieces that its
// sentence's shortlist holds (a piece outside it cannot be output), and the shortlist's size for
// one sentence and for batches of 32 (translate's default batch).
void report_coverage(const Shortlist& shortlist, const ParallelData& held_out, std::ostream& log) {
  int64_t pieces = 0, covered = 0, single_sizes = 0, batch_sizes = 0, batches = 0;
  for (size_t i = 0; i < held_out.src.size(); ++i) {
    const Batch one = batch_of(held_out, {static_cast<int64_t>(i)});
    const std::vector<int32_t> ids = shortlist_vocabulary({{&shortlist, &one}});
    single_sizes += static_cast<int64_t>(ids.size());
    for (int32_t t : held_out.tgt[i]) {
      ++pieces;
      covered += std::binary_search(ids.begin(), ids.end(), t);
    }
  }
  constexpr size_t kBatch = 32;
  for (size_t begin = 0; begin < held_out.src.size(); begin += kBatch) {
    std::vector<int64_t> indices;
    for (size_t i = begin; i < std::min(held_out.src.size(), begin + kBatch); ++i)
      indices.push_back(static_cast<int64_t>(i));
    const Batch batch = batch_of(held_out, indices);
    batch_sizes += static_cast<int64_t>(shortlist_vocabulary({{&shortlist, &batch}}).size());
    ++batches;
  }
  if (pieces == 0) return;
  const auto sentences = static_cast<double>(held_out.src.size());
  log << "shortlist: on " << held_out.src.size() << " held-out pairs it holds " << std::fixed
      << std::setprecision(2) << 100.0 * static_cast<double>(covered) / static_cast<double>(pieces)
      << "% of the references' pieces; " << std::setprecision(0)
      << static_cast<double>(single_sizes) / sentences << " target pieces per sentence, "
      << static_cast<double>(batch_sizes) / static_cast<double>(batches) << " per batch of 32 (of "
      << shortlist.tgt_vocab << ")" << std::endl;
  log.unsetf(std::ios::fixed);
}

}  // namespace

std::optional<Shortlist> learned_shortlist(const Recipe& r, std::ostream& log) {
  const ShortlistLearning& options = r.export_model.shortlist;
  if (options.translations == 0) return std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  Tokenizers t = load_tokenizers(r);
  DroppedPairs dropped;
  const ParallelData train = encode_corpus(read_corpus(r.data.train), t.src, t.tgt,
                                           r.data.max_length, r.model.source_eos, dropped);
  Shortlist shortlist = learn_shortlist(train, options);
  log << "shortlist: IBM Model 1 (" << options.iterations << " iterations) on " << train.src.size()
      << " training pairs in "
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
      << " s: up to " << options.translations
      << " target pieces per source piece (of probability at least " << options.min_probability
      << "), the " << shortlist.frequent << " most frequent always" << std::endl;
  const Recipe::Pair& held_out = r.data.test.src.empty() ? r.data.valid : r.data.test;
  if (!held_out.src.empty()) {
    report_coverage(shortlist,
                    encode_corpus(read_corpus(held_out), t.src, t.tgt, r.data.max_length,
                                  r.model.source_eos, dropped),
                    log);
  }
  return shortlist;
}

}  // namespace rnmt
