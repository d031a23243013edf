#include "shortlist/shortlist.hpp"

#include "core/byte_reader.hpp"
#include "core/error.hpp"

namespace rnmt {
namespace {

constexpr int64_t kSpecials = kEos + 1;
constexpr int64_t kVocabularyMultiple = 64;

}  // namespace

std::string shortlist_bytes(const Shortlist& s) {
  std::string out;
  const int64_t header[5] = {s.src_vocab, s.tgt_vocab, s.frequent,
                             static_cast<int64_t>(s.by_frequency.size()),
                             static_cast<int64_t>(s.translations.size())};
  append_values(out, header, 5);
  append_values(out, s.by_frequency.data(), s.by_frequency.size());
  append_values(out, s.offsets.data(), s.offsets.size());
  append_values(out, s.translations.data(), s.translations.size());
  return out;
}

Shortlist parse_shortlist(std::string_view bytes, int64_t src_vocab, int64_t tgt_vocab,
                          const std::string& what) {
  auto bad = [&](const std::string& why) { return Error("'" + what + "': its shortlist " + why); };
  ByteReader in(bytes, "'" + what + "': its shortlist is truncated");
  int64_t header[5];
  in.take(header, sizeof header);
  Shortlist s;
  s.src_vocab = header[0];
  s.tgt_vocab = header[1];
  s.frequent = header[2];
  if (s.src_vocab != src_vocab || s.tgt_vocab != tgt_vocab) {
    throw bad("is for vocabularies of " + std::to_string(s.src_vocab) + " and " +
              std::to_string(s.tgt_vocab) + " pieces, the model has " + std::to_string(src_vocab) +
              " and " + std::to_string(tgt_vocab));
  }
  // sizes are checked against the bytes left before anything is allocated for them
  const auto left = [&](size_t element) { return static_cast<int64_t>(in.left() / element); };
  if (header[3] != tgt_vocab - kSpecials || header[4] < 0 || s.frequent < 0 ||
      s.frequent > header[3])
    throw bad("has inconsistent sizes");
  if (header[3] > left(sizeof(int32_t))) throw bad("is truncated");
  s.by_frequency.resize(static_cast<size_t>(header[3]));
  in.take(s.by_frequency.data(), s.by_frequency.size() * sizeof(int32_t));
  if (src_vocab + 1 > left(sizeof(int64_t))) throw bad("is truncated");
  s.offsets.resize(static_cast<size_t>(src_vocab + 1));
  in.take(s.offsets.data(), s.offsets.size() * sizeof(int64_t));
  if (header[4] > left(sizeof(int32_t))) throw bad("is truncated");
  s.translations.resize(static_cast<size_t>(header[4]));
  in.take(s.translations.data(), s.translations.size() * sizeof(int32_t));
  if (in.left() != 0) throw bad("has bytes after its end");
  if (s.offsets.front() != 0 || s.offsets.back() != header[4]) throw bad("has damaged offsets");
  for (size_t i = 1; i < s.offsets.size(); ++i)
    if (s.offsets[i] < s.offsets[i - 1]) throw bad("has damaged offsets");
  for (const auto* list : {&s.by_frequency, &s.translations}) {
    for (int32_t t : *list)
      if (t < kSpecials || t >= tgt_vocab) throw bad("names a target piece the model lacks");
  }
  return s;
}

std::vector<int32_t> shortlist_vocabulary(const std::vector<ShortlistedBatch>& batches,
                                          const std::vector<int32_t>& also) {
  if (batches.empty()) throw Error("a shortlist vocabulary needs at least one shortlist");
  const int64_t V = batches.front().shortlist->tgt_vocab;
  std::vector<uint8_t> in(static_cast<size_t>(V), 0);
  int64_t count = 0;
  const auto add = [&](int32_t t) {
    uint8_t& flag = in[static_cast<size_t>(t)];
    count += flag == 0;
    flag = 1;
  };
  for (int32_t t = 0; t < kSpecials; ++t) add(t);
  for (int32_t t : also) add(t);
  std::vector<uint8_t> seen;  // [src_vocab]: source pieces already added
  for (const ShortlistedBatch& b : batches) {
    const Shortlist& s = *b.shortlist;
    for (int64_t i = 0; i < s.frequent; ++i) add(s.by_frequency[static_cast<size_t>(i)]);
    seen.assign(static_cast<size_t>(s.src_vocab), 0);
    for (int32_t piece : b.batch->src) {
      if (piece < 0 || piece >= s.src_vocab || seen[static_cast<size_t>(piece)]) continue;
      seen[static_cast<size_t>(piece)] = 1;
      for (int64_t i = s.offsets[static_cast<size_t>(piece)];
           i < s.offsets[static_cast<size_t>(piece) + 1]; ++i)
        add(s.translations[static_cast<size_t>(i)]);
    }
  }
  const int64_t wanted =
      std::min(V, (count + kVocabularyMultiple - 1) / kVocabularyMultiple * kVocabularyMultiple);
  for (int32_t t : batches.front().shortlist->by_frequency) {
    if (count >= wanted) break;
    add(t);
  }
  std::vector<int32_t> ids;
  ids.reserve(static_cast<size_t>(count));
  for (int64_t t = 0; t < V; ++t)
    if (in[static_cast<size_t>(t)]) ids.push_back(static_cast<int32_t>(t));
  return ids;
}

}  // namespace rnmt
