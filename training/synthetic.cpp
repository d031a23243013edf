#include "training/synthetic.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "core/error.hpp"

namespace rnmt {

ParallelData synthetic_data(int64_t pairs, int64_t length, int64_t vocab, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> cumulative(static_cast<size_t>(vocab));
  double total = 0;
  for (int64_t r = 0; r < vocab; ++r)
    cumulative[static_cast<size_t>(r)] = total += 1.0 / static_cast<double>(r + 10);
  auto draw = [&] {
    const double u = static_cast<double>(rng.uniform()) * total;
    const auto r = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
    return static_cast<int32_t>(std::min<int64_t>(r, vocab - 1) + 4);
  };
  ParallelData data;
  data.src_vocab = data.tgt_vocab = vocab + 4;
  for (auto* side : {&data.src, &data.tgt}) {
    for (int64_t i = 0; i < pairs; ++i) {
      Sentence s(static_cast<size_t>(length));
      for (auto& w : s) w = draw();
      side->push_back(std::move(s));
    }
  }
  return data;
}

namespace {

std::vector<std::vector<std::string>> read_tokenized(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open '" + path + "'");
  std::vector<std::vector<std::string>> lines;
  std::string line, word;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    auto& tokens = lines.emplace_back();
    while (words >> word) tokens.push_back(word);
  }
  return lines;
}

std::unordered_map<std::string, int32_t> build_vocabulary(
    const std::vector<std::vector<std::string>>& lines) {
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& l : lines) {
    for (const auto& w : l) ++counts[w];
  }
  std::vector<std::pair<std::string, int64_t>> words(counts.begin(), counts.end());
  std::sort(words.begin(), words.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::unordered_map<std::string, int32_t> ids;
  for (const auto& [w, c] : words) ids.emplace(w, static_cast<int32_t>(ids.size()) + 4);
  return ids;
}

}  // namespace

ParallelData read_parallel_files(const std::string& src_path, const std::string& tgt_path,
                                 int64_t max_length) {
  const auto src = read_tokenized(src_path), tgt = read_tokenized(tgt_path);
  if (src.size() != tgt.size()) {
    throw Error("parallel files differ in length: '" + src_path + "' has " +
                std::to_string(src.size()) + " lines, '" + tgt_path + "' has " +
                std::to_string(tgt.size()));
  }
  const auto src_ids = build_vocabulary(src), tgt_ids = build_vocabulary(tgt);
  ParallelData data;
  data.src_vocab = static_cast<int64_t>(src_ids.size()) + 4;
  data.tgt_vocab = static_cast<int64_t>(tgt_ids.size()) + 4;
  auto encode = [](const std::vector<std::string>& words, const auto& ids) {
    Sentence s;
    for (const auto& w : words) s.push_back(ids.at(w));
    return s;
  };
  for (size_t i = 0; i < src.size(); ++i) {
    const auto ls = static_cast<int64_t>(src[i].size()), lt = static_cast<int64_t>(tgt[i].size());
    if (ls == 0 || lt == 0 || ls > max_length || lt > max_length) continue;
    data.src.push_back(encode(src[i], src_ids));
    data.tgt.push_back(encode(tgt[i], tgt_ids));
  }
  if (data.src.empty())
    throw Error("no usable sentence pairs in '" + src_path + "' / '" + tgt_path + "'");
  return data;
}

std::vector<std::vector<int64_t>> bucketed_batches(const ParallelData& data, int64_t batch_size,
                                                   int64_t pool, Rng& rng, int64_t max_tokens) {
  std::vector<int64_t> order(data.src.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  auto shuffle = [&](auto& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  };
  shuffle(order);
  auto length = [&](int64_t i) {  // padded positions one pair needs: its longer side (+ </s>)
    return static_cast<int64_t>(std::max(data.src[static_cast<size_t>(i)].size(),
                                         data.tgt[static_cast<size_t>(i)].size() + 1));
  };
  if (max_tokens > 0) {
    double mean = 0;
    for (int64_t i : order)
      mean += static_cast<double>(length(i)) / static_cast<double>(order.size());
    batch_size = std::max<int64_t>(
        1, static_cast<int64_t>(static_cast<double>(max_tokens) / std::max(1.0, mean)));
  }
  std::vector<std::vector<int64_t>> batches;
  const auto pool_size = static_cast<size_t>(batch_size * pool);
  for (size_t p = 0; p < order.size(); p += pool_size) {
    auto begin = order.begin() + static_cast<long>(p);
    auto end = order.begin() + static_cast<long>(std::min(order.size(), p + pool_size));
    std::stable_sort(begin, end, [&](int64_t a, int64_t b) {
      const auto& sa = data.src[static_cast<size_t>(a)];
      const auto& sb = data.src[static_cast<size_t>(b)];
      if (sa.size() != sb.size()) return sa.size() < sb.size();
      return data.tgt[static_cast<size_t>(a)].size() < data.tgt[static_cast<size_t>(b)].size();
    });
    for (auto it = begin; it < end;) {
      auto stop = it + 1;
      if (max_tokens > 0) {
        int64_t longest = length(*it);
        while (stop < end && (stop - it + 1) * std::max(longest, length(*stop)) <= max_tokens) {
          longest = std::max(longest, length(*stop));
          ++stop;
        }
      } else {
        stop = it + std::min<long>(batch_size, end - it);
      }
      batches.emplace_back(it, stop);
      it = stop;
    }
  }
  shuffle(batches);
  return batches;
}

Batch batch_of(const ParallelData& data, const std::vector<int64_t>& indices) {
  std::vector<const Sentence*> s, t;
  for (int64_t i : indices) {
    s.push_back(&data.src[static_cast<size_t>(i)]);
    t.push_back(&data.tgt[static_cast<size_t>(i)]);
  }
  return make_batch(s, t);
}

}  // namespace rnmt
