#include "tokenizer/bpe.hpp"

#include <unicode/utf8.h>

#include <queue>
#include <unordered_set>

namespace rnmt {

std::vector<std::string> code_points(const std::string& text) {
  std::vector<std::string> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    U8_FWD_1(s, i, length);
    out.emplace_back(text, static_cast<size_t>(start), static_cast<size_t>(i - start));
  }
  return out;
}

namespace {

using PairKey = uint64_t;
PairKey key_of(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

struct Learner {
  std::vector<std::string> names;                // symbol id -> string
  std::unordered_map<std::string, int32_t> ids;  // string -> symbol id
  std::vector<Word> words;
  std::unordered_map<PairKey, int64_t> pair_counts;
  std::unordered_map<PairKey, std::vector<int32_t>> pair_words;  // may hold stale entries

  struct Candidate {
    int64_t count;
    int32_t a, b;
  };
  // Max-heap by count; among equal counts the pair whose strings sort first comes out first.
  struct Worse {
    const Learner* l;
    bool operator()(const Candidate& x, const Candidate& y) const {
      if (x.count != y.count) return x.count < y.count;
      const auto& xa = l->names[static_cast<size_t>(x.a)];
      const auto& ya = l->names[static_cast<size_t>(y.a)];
      if (xa != ya) return xa > ya;
      return l->names[static_cast<size_t>(x.b)] > l->names[static_cast<size_t>(y.b)];
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, Worse> heap{Worse{this}};

  int32_t intern(const std::string& s) {
    auto [it, added] = ids.emplace(s, static_cast<int32_t>(names.size()));
    if (added) names.push_back(s);
    return it->second;
  }

  void count_pairs(int32_t w, int64_t sign, std::unordered_set<PairKey>* changed) {
    const Word& word = words[static_cast<size_t>(w)];
    for (size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      const PairKey k = key_of(word.symbols[i], word.symbols[i + 1]);
      pair_counts[k] += sign * word.count;
      if (sign > 0) pair_words[k].push_back(w);
      if (changed) changed->insert(k);
    }
  }

  void push(PairKey k) {
    const int64_t c = pair_counts[k];
    if (c > 0) heap.push({c, static_cast<int32_t>(k >> 32), static_cast<int32_t>(k & 0xffffffffu)});
  }
};

}  // namespace

std::vector<Merge> learn_bpe(const std::unordered_map<std::string, int64_t>& word_counts,
                             int64_t count, int64_t min_frequency,
                             const std::function<void(int64_t)>& progress) {
  Learner l;
  // Words in a fixed order, so learning does not depend on the hash map's iteration order.
  std::vector<std::pair<std::string, int64_t>> sorted(word_counts.begin(), word_counts.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [word, c] : sorted) {
    Word w{{}, c};
    for (const auto& cp : code_points(word)) w.symbols.push_back(l.intern(cp));
    l.words.push_back(std::move(w));
  }
  for (int32_t w = 0; w < static_cast<int32_t>(l.words.size()); ++w) l.count_pairs(w, 1, nullptr);
  for (const auto& [k, c] : l.pair_counts) l.push(k);

  std::vector<Merge> merges;
  while (static_cast<int64_t>(merges.size()) < count && !l.heap.empty()) {
    const auto best = l.heap.top();
    l.heap.pop();
    const PairKey k = key_of(best.a, best.b);
    if (l.pair_counts[k] != best.count) continue;  // stale: a fresher entry is in the heap
    if (best.count < min_frequency) break;
    const int32_t merged =
        l.intern(l.names[static_cast<size_t>(best.a)] + l.names[static_cast<size_t>(best.b)]);
    merges.emplace_back(l.names[static_cast<size_t>(best.a)], l.names[static_cast<size_t>(best.b)]);
    std::unordered_set<PairKey> changed;
    std::unordered_set<int32_t> seen;
    const std::vector<int32_t> candidates = std::move(l.pair_words[k]);
    l.pair_words.erase(k);
    for (int32_t w : candidates) {
      if (!seen.insert(w).second) continue;
      auto& symbols = l.words[static_cast<size_t>(w)].symbols;
      bool contains = false;
      for (size_t i = 0; i + 1 < symbols.size() && !contains; ++i) {
        contains = symbols[i] == best.a && symbols[i + 1] == best.b;
      }
      if (!contains) continue;
      l.count_pairs(w, -1, &changed);
      std::vector<int32_t> out;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == best.a && symbols[i + 1] == best.b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(symbols[i]);
        }
      }
      symbols = std::move(out);
      l.count_pairs(w, 1, &changed);
    }
    for (PairKey c : changed) l.push(c);
    if (progress && merges.size() % 500 == 0) progress(static_cast<int64_t>(merges.size()));
  }
  return merges;
}

BpeEncoder::BpeEncoder(const std::vector<Merge>& merges) {
  for (size_t i = 0; i < merges.size(); ++i) {
    ranks_.emplace(merges[i].first + ' ' + merges[i].second, static_cast<int32_t>(i));
  }
}

void BpeEncoder::merge(std::vector<std::string>& symbols, float dropout, Rng* rng) const {
  std::string key;
  for (;;) {
    int32_t best_rank = -1;
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      key.assign(symbols[i]).append(1, ' ').append(symbols[i + 1]);
      auto it = ranks_.find(key);
      if (it == ranks_.end()) continue;
      if (dropout > 0 && rng->uniform() < dropout) continue;
      if (best_rank < 0 || it->second < best_rank) {
        best_rank = it->second;
        best_at = i;
      }
    }
    if (best_rank < 0) return;
    // Merge every occurrence of the chosen pair, left to right.
    const std::string left = symbols[best_at], right = symbols[best_at + 1];
    std::vector<std::string> out;
    out.reserve(symbols.size());
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
        out.push_back(left + right);
        ++i;
      } else {
        out.push_back(std::move(symbols[i]));
      }
    }
    symbols = std::move(out);
  }
}

void BpeEncoder::encode(const std::string& token, std::vector<std::string>& pieces) {
  auto it = cache_.find(token);
  if (it == cache_.end()) {
    auto symbols = code_points(token);
    merge(symbols, 0.0f, nullptr);
    it = cache_.emplace(token, std::move(symbols)).first;
  }
  pieces.insert(pieces.end(), it->second.begin(), it->second.end());
}

void BpeEncoder::encode(const std::string& token, std::vector<std::string>& pieces, float dropout,
                        Rng& rng) {
  if (dropout <= 0) return encode(token, pieces);
  auto symbols = code_points(token);
  merge(symbols, dropout, &rng);
  pieces.insert(pieces.end(), symbols.begin(), symbols.end());
}

}  // namespace rnmt
