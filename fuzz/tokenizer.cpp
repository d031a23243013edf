// Arbitrary bytes as one input line through the tokenizer. Properties:
// - under the `replace` policy the normalized text is valid UTF-8, and something was replaced
//   exactly when the line was not valid UTF-8; under `fail` an invalid line is an rnmt::Error
//   naming the line, and a valid one normalizes as under `replace`;
// - segmentation gives tokens without white space, and detokenize(join(tokens)) is the normalized
//   text again, for plain segmentation and for BPE pieces (the round trip the README promises);
// - tokenize_prefix (what translation reads of a line) gives exactly the first pieces.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "fuzz/check.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/tokenizer.hpp"

using namespace rnmt;

namespace {

// RFC 3629, written here independently of ICU's U8_NEXT, which the tokenizer uses.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = p[i];
    size_t length = 0;
    uint32_t code = 0, minimum = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      code = code << 6 | (p[i + k] & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// A BPE tokenizer with a few merges, learned once from a handful of words.
PieceTokenizer& bpe_tokenizer() {
  static PieceTokenizer tokenizer = [] {
    TokenizerModel m;
    train_bpe(
        m, {{"\xE2\x96\x81the", 9}, {"there", 5}, {"\xE2\x96\x81\xC3\xA9t\xC3\xA9", 4}, {"12", 3}},
        {.merges = 12, .min_frequency = 1});
    return PieceTokenizer(m);
  }();
  return tokenizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  if (line.find('\n') != std::string_view::npos) return 0;  // rnmt reads lines: never a '\n' inside
  const bool valid = valid_utf8(line);

  int64_t replaced = 0;
  const std::string normalized =
      normalize_line(line, Normalization::nfc, InvalidUtf8::replace, false, 7, &replaced);
  FUZZ_CHECK(valid_utf8(normalized));
  FUZZ_CHECK((replaced == 0) == valid);
  try {
    const std::string strict =
        normalize_line(line, Normalization::nfc, InvalidUtf8::fail, false, 7, nullptr);
    FUZZ_CHECK(valid && strict == normalized);
  } catch (const Error& e) {
    FUZZ_CHECK(!valid && std::string(e.what()).find("line 7: invalid UTF-8 at byte") == 0);
  }

  const auto tokens = segment(normalized, {});
  for (const auto& t : tokens) {
    FUZZ_CHECK(!t.empty());
    FUZZ_CHECK(t.find_first_of(" \t\n\r") == std::string::npos);
  }
  FUZZ_CHECK(detokenize(join_tokens(tokens)) == normalized);

  const auto pieces = bpe_tokenizer().tokenize(line, 7);
  FUZZ_CHECK(detokenize(join_tokens(pieces)) == normalized);
  // what translation reads of a long line: exactly the first pieces, and whether more followed
  for (size_t max_pieces : {size_t{1}, size_t{4}}) {
    bool truncated = false;
    const auto prefix = bpe_tokenizer().tokenize_prefix(line, 7, max_pieces, &truncated);
    FUZZ_CHECK(truncated == (pieces.size() > max_pieces));
    FUZZ_CHECK(std::equal(prefix.begin(), prefix.end(), pieces.begin(),
                          pieces.begin() + static_cast<long>(std::min(max_pieces, pieces.size()))));
    FUZZ_CHECK(prefix.size() == std::min(max_pieces, pieces.size()));
  }
  return 0;
}
