#include "shortlist/learn_shortlist.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace rnmt {
namespace {

constexpr int32_t kSpecials = kEos + 1;
constexpr int32_t kEmptyWord = kPad;  // no sentence holds <pad>: it stands for the empty word

// The target pieces each source piece (and the empty word) is seen with in some pair: the only
// probabilities Model 1 can make other than zero. Rows of sorted ids.
struct Cooccurrences {
  std::vector<int64_t> offsets;  // [src_vocab + 1]
  std::vector<int32_t> targets;
};

void sort_unique(std::vector<int32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

Cooccurrences cooccurrences(const ParallelData& d) {
  std::vector<std::vector<int32_t>> rows(static_cast<size_t>(d.src_vocab));
  std::vector<size_t> unique_size(rows.size(), 0);  // each row's size when last made unique
  std::vector<int32_t> sources, targets;
  for (size_t p = 0; p < d.src.size(); ++p) {
    targets.clear();
    for (int32_t t : d.tgt[p])
      if (t >= kSpecials) targets.push_back(t);
    sort_unique(targets);
    sources.assign(d.src[p].begin(), d.src[p].end());
    sources.push_back(kEmptyWord);
    sort_unique(sources);
    for (int32_t s : sources) {
      auto& row = rows[static_cast<size_t>(s)];
      row.insert(row.end(), targets.begin(), targets.end());
      // frequent pieces meet the same targets again and again: keep their rows short
      if (row.size() > 2 * unique_size[static_cast<size_t>(s)] + 4096) {
        sort_unique(row);
        unique_size[static_cast<size_t>(s)] = row.size();
      }
    }
  }
  Cooccurrences c;
  c.offsets.assign(rows.size() + 1, 0);
  for (size_t s = 0; s < rows.size(); ++s) {
    sort_unique(rows[s]);
    c.offsets[s + 1] = c.offsets[s] + static_cast<int64_t>(rows[s].size());
  }
  c.targets.reserve(static_cast<size_t>(c.offsets.back()));
  for (auto& row : rows) {
    c.targets.insert(c.targets.end(), row.begin(), row.end());
    std::vector<int32_t>().swap(row);
  }
  return c;
}

// Where (s, t) is in the co-occurrence rows (it is there: every pair's are).
int64_t cell(const Cooccurrences& c, int32_t s, int32_t t) {
  const auto begin = c.targets.begin() + c.offsets[static_cast<size_t>(s)],
             end = c.targets.begin() + c.offsets[static_cast<size_t>(s) + 1];
  return std::lower_bound(begin, end, t) - c.targets.begin();
}

// p(t | s) for every co-occurring (s, t), by `iterations` rounds of expectation-maximisation.
std::vector<float> model1_probabilities(const ParallelData& d, const Cooccurrences& c,
                                        int64_t iterations) {
  std::vector<float> probability(c.targets.size(), 1.0f);  // uniform: every link alike at first
  std::vector<double> count(c.targets.size());
  std::vector<int64_t> cells;
  for (int64_t iteration = 0; iteration < iterations; ++iteration) {
    std::fill(count.begin(), count.end(), 0.0);
    for (size_t p = 0; p < d.src.size(); ++p) {
      const Sentence& src = d.src[p];
      for (int32_t t : d.tgt[p]) {
        if (t < kSpecials) continue;
        // the posterior of each source position (and the empty word) having produced t
        cells.clear();
        double total = 0;
        for (size_t i = 0; i <= src.size(); ++i) {
          const int64_t k = cell(c, i < src.size() ? src[i] : kEmptyWord, t);
          cells.push_back(k);
          total += probability[static_cast<size_t>(k)];
        }
        for (int64_t k : cells)
          count[static_cast<size_t>(k)] += probability[static_cast<size_t>(k)] / total;
      }
    }
    for (size_t s = 0; s + 1 < c.offsets.size(); ++s) {
      double total = 0;
      for (int64_t k = c.offsets[s]; k < c.offsets[s + 1]; ++k)
        total += count[static_cast<size_t>(k)];
      if (total <= 0) continue;
      for (int64_t k = c.offsets[s]; k < c.offsets[s + 1]; ++k)
        probability[static_cast<size_t>(k)] =
            static_cast<float>(count[static_cast<size_t>(k)] / total);
    }
  }
  return probability;
}

}  // namespace

Shortlist learn_shortlist(const ParallelData& d, const ShortlistLearning& o) {
  if (d.src.size() != d.tgt.size()) throw Error("shortlist: the two sides differ in length");
  if (o.translations < 0 || o.frequent < 0 || o.iterations < 1)
    throw Error("shortlist: translations and frequent must not be negative, iterations positive");
  if (!(o.min_probability >= 0 && o.min_probability <= 1))
    throw Error("shortlist: min_probability must be in [0, 1]");
  for (size_t p = 0; p < d.src.size(); ++p) {
    for (int32_t s : d.src[p])
      if (s < 0 || s >= d.src_vocab) throw Error("shortlist: a source id is out of the vocabulary");
    for (int32_t t : d.tgt[p])
      if (t < 0 || t >= d.tgt_vocab) throw Error("shortlist: a target id is out of the vocabulary");
  }
  Shortlist out;
  out.src_vocab = d.src_vocab;
  out.tgt_vocab = d.tgt_vocab;
  // the target pieces by frequency in the data; of equal counts, the lower id first
  std::vector<int64_t> frequency(static_cast<size_t>(d.tgt_vocab), 0);
  for (const Sentence& sentence : d.tgt)
    for (int32_t t : sentence) ++frequency[static_cast<size_t>(t)];
  out.by_frequency.resize(static_cast<size_t>(std::max<int64_t>(0, d.tgt_vocab - kSpecials)));
  std::iota(out.by_frequency.begin(), out.by_frequency.end(), kSpecials);
  std::stable_sort(out.by_frequency.begin(), out.by_frequency.end(), [&](int32_t a, int32_t b) {
    return frequency[static_cast<size_t>(a)] > frequency[static_cast<size_t>(b)];
  });
  out.frequent = std::min<int64_t>(o.frequent, static_cast<int64_t>(out.by_frequency.size()));

  const Cooccurrences c = cooccurrences(d);
  const std::vector<float> probability = model1_probabilities(d, c, o.iterations);
  out.offsets.assign(static_cast<size_t>(d.src_vocab) + 1, 0);
  std::vector<int64_t> row;
  for (int32_t s = 0; s < d.src_vocab; ++s) {
    row.clear();
    if (s >= kSpecials) {  // the specials and the empty word translate to nothing
      for (int64_t k = c.offsets[static_cast<size_t>(s)]; k < c.offsets[static_cast<size_t>(s) + 1];
           ++k)
        if (probability[static_cast<size_t>(k)] >= o.min_probability) row.push_back(k);
    }
    const auto keep = std::min<size_t>(row.size(), static_cast<size_t>(o.translations));
    // most probable first; of equal ones the lower target id (the rows are sorted by id)
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(),
                      [&](int64_t a, int64_t b) {
                        const float pa = probability[static_cast<size_t>(a)],
                                    pb = probability[static_cast<size_t>(b)];
                        return pa != pb ? pa > pb : a < b;
                      });
    for (size_t i = 0; i < keep; ++i)
      out.translations.push_back(c.targets[static_cast<size_t>(row[i])]);
    out.offsets[static_cast<size_t>(s) + 1] = static_cast<int64_t>(out.translations.size());
  }
  return out;
}

}  // namespace rnmt
