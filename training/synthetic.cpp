#include "training/synthetic.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

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

}  // namespace rnmt
