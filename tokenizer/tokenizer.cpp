#include "tokenizer/tokenizer.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"

namespace rnmt {

Vocabulary Vocabulary::build(const std::unordered_map<std::string, int64_t>& counts,
                             int64_t min_count) {
  Vocabulary v;
  for (const char* s : kSpecials) v.add(s);
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (const auto& [piece, c] : sorted) {
    if (c >= min_count) v.add(piece);
  }
  return v;
}

void Vocabulary::add(const std::string& piece) {
  if (ids.emplace(piece, static_cast<int32_t>(pieces.size())).second) pieces.push_back(piece);
}

int32_t Vocabulary::id(const std::string& piece) const {
  auto it = ids.find(piece);
  return it == ids.end() ? 1 : it->second;
}

void train_bpe(TokenizerModel& model, const std::unordered_map<std::string, int64_t>& words,
               const BpeTraining& training, const std::function<void(int64_t)>& progress) {
  model.merges = learn_bpe(words, training.merges, training.min_frequency, progress);
  model.bpe = true;
  BpeEncoder bpe(model.merges);
  std::unordered_map<std::string, int64_t> piece_counts;
  std::vector<std::string> pieces;
  for (const auto& [word, count] : words) {
    pieces.clear();
    bpe.encode(word, pieces);
    for (const auto& p : pieces) piece_counts[p] += count;
  }
  if (training.dropout_vocabulary) {
    // BPE-dropout yields intermediate merges and single characters too: give them ids.
    for (const auto& [a, b] : model.merges) {
      piece_counts[a] += training.vocab_threshold;
      piece_counts[b] += training.vocab_threshold;
      piece_counts[a + b] += training.vocab_threshold;
    }
    for (const auto& [word, count] : words) {
      for (const auto& ch : code_points(word)) piece_counts[ch] += training.vocab_threshold;
    }
  }
  model.vocabulary = Vocabulary::build(piece_counts, training.vocab_threshold);
}

namespace {
constexpr const char* kMagic = "rnmt-tokenizer";

// Whitespace segmentation: the tokens between runs of spaces and tabs, at most `limit` (0: all).
std::vector<std::string> split_at_white_space(std::string_view text, size_t limit = 0) {
  std::vector<std::string> tokens;
  size_t at = 0;
  while (limit == 0 || tokens.size() < limit) {
    at = text.find_first_not_of(" \t\r\n", at);
    if (at == std::string_view::npos) break;
    const size_t end = std::min(text.find_first_of(" \t\r\n", at), text.size());
    tokens.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return tokens;
}
// Version 2 adds a "segmentation" line, version 3 a SentencePiece model (its bytes in hex, one
// line); a file is written in the lowest version that holds it, so files of rnmt's own
// segmentation stay version 1, which every rnmt reads.
constexpr int kVersion = 3;

int version_needed(const TokenizerOptions& o) {
  switch (o.segmentation) {
    case Segmentation::rnmt:
      return 1;
    case Segmentation::whitespace:
      return 2;
    case Segmentation::sentencepiece:
      return 3;
  }
  return kVersion;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const unsigned char b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  return hex;
}

// The bytes `hex` spells; false when it is not an even number of hex digits.
bool from_hex(std::string_view hex, std::string& bytes) {
  if (hex.size() % 2 != 0) return false;
  const auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  bytes.resize(hex.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int high = digit(hex[2 * i]), low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<char>(high * 16 + low);
  }
  return true;
}
}  // namespace

std::string tokenizer_text(const TokenizerModel& m) {
  std::ostringstream out;
  const int version = version_needed(m.options);
  out << kMagic << ' ' << version << '\n';
  if (version > 1)
    out << "segmentation " << enum_name(kSegmentationNames, m.options.segmentation) << '\n';
  out << "normalization " << enum_name(kNormalizationNames, m.options.normalization) << '\n'
      << "invalid_utf8 " << (m.options.invalid_utf8 == InvalidUtf8::replace ? "replace" : "fail")
      << '\n'
      << "split_digits " << (m.options.split_digits ? 1 : 0) << '\n'
      << "lowercase " << (m.options.lowercase ? 1 : 0) << '\n'
      << "merges " << m.merges.size() << '\n';
  for (const auto& [a, b] : m.merges) out << a << ' ' << b << '\n';
  if (m.options.segmentation == Segmentation::sentencepiece)
    out << "sentencepiece_model " << m.sentencepiece_model.size() << '\n'
        << to_hex(m.sentencepiece_model) << '\n';
  out << "vocabulary " << m.vocabulary.size() << '\n';
  for (const auto& p : m.vocabulary.pieces) out << p << '\n';
  return out.str();
}

void save_tokenizer(const TokenizerModel& m, const std::string& path) {
  write_file_atomically(path, tokenizer_text(m));  // a reader never sees half a file
}

TokenizerModel load_tokenizer(const std::string& path) {
  return parse_tokenizer(read_whole_file(path, "tokenizer model"), path);
}

TokenizerModel parse_tokenizer(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  TokenizerModel m;
  int64_t line_number = 0;
  std::string line;
  auto fail = [&](const std::string& what) -> Error {
    return Error(path + ":" + std::to_string(line_number) + ": " + what);
  };
  auto next = [&]() -> std::string& {
    if (!std::getline(in, line)) throw fail("unexpected end of file");
    ++line_number;
    return line;
  };
  // "key value" with the expected key; returns the value.
  auto field = [&](const char* key) {
    std::istringstream words(next());
    std::string k, v, extra;
    if (!(words >> k >> v) || k != key || (words >> extra)) {
      throw fail(std::string("expected '") + key + " VALUE', found '" + line + "'");
    }
    return v;
  };
  auto count = [&](const char* key) {
    const std::string v = field(key);
    char* end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (*end != '\0' || n < 0)
      throw fail(std::string("'") + key + "' needs a count, found '" + v + "'");
    return static_cast<size_t>(n);
  };
  auto flag = [&](const char* key) {
    const std::string v = field(key);
    if (v != "0" && v != "1")
      throw fail(std::string("'") + key + "' must be 0 or 1, found '" + v + "'");
    return v == "1";
  };
  const std::string version = field(kMagic);
  if (version != "1" && version != "2" && version != std::to_string(kVersion)) {
    throw fail("unsupported tokenizer model version (this rnmt reads versions 1 to " +
               std::to_string(kVersion) + ")");
  }
  try {
    if (version != "1")
      m.options.segmentation =
          parse_enum(kSegmentationNames, field("segmentation"), "segmentation");
    m.options.normalization = parse_normalization(field("normalization"));
    m.options.invalid_utf8 = parse_invalid_utf8(field("invalid_utf8"));
  } catch (const Error& e) {
    throw fail(e.what());
  }
  m.options.split_digits = flag("split_digits");
  m.options.lowercase = flag("lowercase");
  for (size_t i = 0, n = count("merges"); i < n; ++i) {
    const std::string& l = next();
    const size_t space = l.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == l.size() ||
        l.find(' ', space + 1) != std::string::npos) {
      throw fail("a merge is two pieces separated by one space, found '" + l + "'");
    }
    m.merges.emplace_back(l.substr(0, space), l.substr(space + 1));
  }
  m.bpe = true;
  if (m.options.segmentation == Segmentation::sentencepiece) {
    if (version != std::to_string(kVersion))
      throw fail("a SentencePiece tokenizer needs version " + std::to_string(kVersion));
    const size_t size = count("sentencepiece_model");
    if (!from_hex(next(), m.sentencepiece_model) || m.sentencepiece_model.size() != size)
      throw fail("expected the SentencePiece model's " + std::to_string(size) +
                 " bytes in hex digits");
    load_sentencepiece(m.sentencepiece_model, path + ":" + std::to_string(line_number));
  }
  for (size_t i = 0, n = count("vocabulary"); i < n; ++i) {
    const std::string& l = next();
    if (l.empty() || l.find(' ') != std::string::npos)
      throw fail("a vocabulary piece must be one word, found '" + l + "'");
    m.vocabulary.add(l);
  }
  if (std::getline(in, line)) {
    ++line_number;
    throw fail("unexpected content after the vocabulary");
  }
  return m;
}

PieceTokenizer::PieceTokenizer(TokenizerModel model)
    : model_(std::move(model)), bpe_(model_.merges) {
  if (model_.options.segmentation == Segmentation::sentencepiece)
    sentencepiece_ = load_sentencepiece(model_.sentencepiece_model, "the tokenizer");
}

std::vector<std::string> PieceTokenizer::tokenize(std::string_view line, int64_t line_number,
                                                  int64_t* replaced, float dropout, Rng* rng) {
  const auto& o = model_.options;
  const std::string text =
      normalize_line(line, o.normalization, o.invalid_utf8, o.lowercase, line_number, replaced);
  std::vector<std::string> pieces;
  if (o.segmentation == Segmentation::whitespace) return split_at_white_space(text);
  if (o.segmentation == Segmentation::sentencepiece) {
    if (dropout > 0) throw Error("BPE dropout needs rnmt's own BPE, not a SentencePiece tokenizer");
    return sentencepiece_encode(sentencepiece_, text);
  }
  for (auto& token : segment(text, {.split_digits = o.split_digits})) {
    if (!model_.bpe) {
      pieces.push_back(std::move(token));
    } else if (dropout > 0 && rng) {
      bpe_.encode(token, pieces, dropout, *rng);
    } else {
      bpe_.encode(token, pieces);
    }
  }
  return pieces;
}

std::vector<std::string> PieceTokenizer::tokenize_prefix(std::string_view line, int64_t line_number,
                                                         size_t max_pieces, bool* truncated) {
  const auto& o = model_.options;
  const std::string text =
      normalize_line(line, o.normalization, o.invalid_utf8, o.lowercase, line_number, nullptr);
  // Every token gives at least one piece: the first max_pieces tokens hold the first pieces.
  bool more = false;
  std::vector<std::string> pieces;
  if (o.segmentation != Segmentation::rnmt) {
    pieces = o.segmentation == Segmentation::whitespace
                 ? split_at_white_space(text, max_pieces + 1)
                 : sentencepiece_encode(sentencepiece_, text);  // SentencePiece reads whole lines
    *truncated = pieces.size() > max_pieces;
    if (*truncated) pieces.resize(max_pieces);
    return pieces;
  }
  for (auto& token :
       segment(text, {.split_digits = o.split_digits, .max_tokens = max_pieces}, &more)) {
    if (model_.bpe) {
      bpe_.encode(token, pieces);
    } else {
      pieces.push_back(std::move(token));
    }
    if (pieces.size() > max_pieces) break;
  }
  *truncated = more || pieces.size() > max_pieces;
  if (pieces.size() > max_pieces) pieces.resize(max_pieces);
  return pieces;
}

std::string PieceTokenizer::detokenize(const std::vector<std::string>& pieces) const {
  switch (model_.options.segmentation) {
    case Segmentation::whitespace:
      return join_tokens(pieces);
    case Segmentation::sentencepiece:
      return sentencepiece_decode(sentencepiece_, pieces);
    case Segmentation::rnmt:
      break;
  }
  return rnmt::detokenize(join_tokens(pieces));
}

}  // namespace rnmt
