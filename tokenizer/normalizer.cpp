#include "tokenizer/normalizer.hpp"

#include <algorithm>

#include <unicode/bytestream.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "core/error.hpp"

namespace rnmt {

Normalization parse_normalization(const std::string& name) {
  return parse_enum(kNormalizationNames, name, "normalization");
}

InvalidUtf8 parse_invalid_utf8(const std::string& name) {
  return parse_enum(kInvalidUtf8Names, name, "invalid-UTF-8 policy");
}

namespace {

// Valid UTF-8, with each maximal invalid subsequence replaced by U+FFFD (ICU's U8_NEXT rules).
std::string valid_utf8(std::string_view in, InvalidUtf8 policy, int64_t line_number,
                       int64_t* replaced) {
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  const auto length = static_cast<int32_t>(in.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c >= 0) {
      out.append(in.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
      continue;
    }
    if (policy == InvalidUtf8::fail) {
      throw Error("line " + std::to_string(line_number) + ": invalid UTF-8 at byte " +
                  std::to_string(start + 1));
    }
    out += "\xEF\xBF\xBD";
    if (replaced) ++*replaced;
  }
  return out;
}

bool is_ascii(std::string_view s) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int64_t>(text.size());
  for (int64_t i = 0; i < length;) {
    // U8_NEXT takes int32_t offsets: walk long texts in windows that end on a character
    const auto window = static_cast<int32_t>(std::min<int64_t>(length - i, int64_t{1} << 30));
    int32_t at = 0;
    while (at < window) {
      UChar32 c;
      U8_NEXT(s + i, at, window, c);
      if (c < 0) return false;
    }
    i += at;
  }
  return true;
}

std::string normalize_line(std::string_view line, Normalization form, InvalidUtf8 policy,
                           bool lowercase, int64_t line_number, int64_t* replaced) {
  std::string text = valid_utf8(line, policy, line_number, replaced);
  UErrorCode status = U_ZERO_ERROR;
  // ASCII is already NFC and NFKC: the common case skips ICU entirely.
  if (form != Normalization::none && !is_ascii(text)) {
    const icu::Normalizer2* normalizer = form == Normalization::nfc
                                             ? icu::Normalizer2::getNFCInstance(status)
                                             : icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status))
      throw Error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
    if (!normalizer->isNormalizedUTF8(text, status)) {
      std::string normalized;
      icu::StringByteSink<std::string> sink(&normalized);
      normalizer->normalizeUTF8(0, text, sink, nullptr, status);
      text = std::move(normalized);
    }
    if (U_FAILURE(status))
      throw Error(std::string("ICU normalization failed: ") + u_errorName(status));
  }
  if (lowercase) {
    std::string lower;
    icu::UnicodeString::fromUTF8(text).toLower(icu::Locale::getRoot()).toUTF8String(lower);
    text = std::move(lower);
  }
  return text;
}

}  // namespace rnmt
