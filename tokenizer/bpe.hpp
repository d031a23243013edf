#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace rnmt {

using Merge = std::pair<std::string, std::string>;

// Learns up to `count` merges from word frequencies (words are segmenter tokens, split into code
// points). Each step merges the most frequent adjacent pair, ties going to the pair whose two
// strings sort first; it stops early when no pair occurs `min_frequency` times. Pair counts are
// kept incrementally: a merge only revisits the words that contain the merged pair. `progress`,
// when given, is called every 500 merges with the number done.
std::vector<Merge> learn_bpe(const std::unordered_map<std::string, int64_t>& word_counts,
                             int64_t count, int64_t min_frequency = 2,
                             const std::function<void(int64_t)>& progress = nullptr);

// Applies merges to tokens: repeatedly merges the adjacent pair learned first. Results are cached
// per token, except with BPE-dropout (Provilkov et al. 2020), where each applicable merge is
// skipped with probability `dropout` at every step.
class BpeEncoder {
 public:
  explicit BpeEncoder(const std::vector<Merge>& merges);
  // Appends the pieces of `token` to `pieces`.
  void encode(const std::string& token, std::vector<std::string>& pieces);
  void encode(const std::string& token, std::vector<std::string>& pieces, float dropout, Rng& rng);

 private:
  void merge(std::vector<std::string>& symbols, float dropout, Rng* rng) const;
  std::unordered_map<std::string, int32_t> ranks_;  // "left right" -> order learned
  std::unordered_map<std::string, std::vector<std::string>> cache_;
};

// Splits UTF-8 text into its code points.
std::vector<std::string> code_points(const std::string& text);

}  // namespace rnmt
