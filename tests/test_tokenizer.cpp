// The tokenizer's promise: detokenize(tokenize(x)) == normalize(x), byte for byte, for any text.
#include <catch2/catch.hpp>

#include <unicode/utf8.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/segmenter.hpp"

using namespace rnmt;

namespace {

std::string nfc(std::string_view s) {
  return normalize_line(s, Normalization::nfc, InvalidUtf8::replace, false, 1, nullptr);
}

std::string round_trip(std::string_view normalized, SegmentOptions options = {}) {
  return detokenize(join_tokens(segment(normalized, options)));
}

void append(std::string& s, UChar32 c) {
  uint8_t buffer[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buffer, n, 4, c, error);
  REQUIRE(!error);
  s.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// Random text from many scripts and the awkward characters: spaces in runs, tabs, combining marks,
// joiners, emoji sequences, right-to-left scripts, CJK, the marker and escape characters.
std::string random_text(Rng& rng) {
  static const std::vector<std::pair<UChar32, UChar32>> ranges = {
      {'a', 'z'},         {'A', 'Z'},         {'0', '9'},
      {'!', '/'},         {0xC0, 0xFF},                            // Latin-1 letters
      {0x300, 0x36F},                                              // combining marks
      {0x391, 0x3C9},     {0x410, 0x44F},                          // Greek, Cyrillic
      {0x5D0, 0x5EA},     {0x627, 0x64A},     {0x660, 0x669},      // Hebrew, Arabic, Arabic digits
      {0x905, 0x939},     {0x93E, 0x94D},                          // Devanagari letters and signs
      {0x3041, 0x3096},   {0x4E00, 0x4E50},   {0xAC00, 0xAC40},    // Hiragana, Han, Hangul
      {0x1F600, 0x1F64F}, {0x1F1E6, 0x1F1FF}, {0x1F3FB, 0x1F3FF},  // emoji, flags, skin tones
  };
  static const std::vector<UChar32> specials = {' ',    ' ',  ' ',    '\t',   0x200D, 0x200B,
                                                0xFE0F, 0xA0, 0x3000, 0x2581, '\\',   '{',
                                                '}',    0x1,  0x7F,   0xFEFF};
  std::string s;
  const auto length = rng.below(40);
  for (uint64_t i = 0; i < length; ++i) {
    if (rng.below(4) == 0) {
      append(s, specials[rng.below(specials.size())]);
    } else {
      const auto& [lo, hi] = ranges[rng.below(ranges.size())];
      append(s, lo + static_cast<UChar32>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
    }
  }
  return s;
}

}  // namespace

TEST_CASE("tokenize then detokenize gives back the normalized text, for random text",
          "[tokenizer]") {
  Rng rng(2024);
  const SegmentOptions digits{.split_digits = true};
  for (int i = 0; i < 3000; ++i) {
    const std::string x = nfc(random_text(rng));
    INFO("text: " << x);
    const auto tokens = segment(x, i % 2 ? digits : SegmentOptions{});
    for (const auto& t : tokens) {
      REQUIRE(!t.empty());
      REQUIRE(t.find_first_of(" \t\n\r") == std::string::npos);
    }
    REQUIRE(detokenize(join_tokens(tokens)) == x);
  }
}

TEST_CASE("round trip of the edge cases", "[tokenizer]") {
  for (const std::string x :
       {"",
        " ",
        "   ",
        "\t",
        " a",
        "a ",
        "  a  b   ",
        "a\tb",
        "a\\b",
        "\\\\",
        "\\{41}",
        "\xE2\x96\x81",
        "\xE2\x96\x81 x",
        "ab\xE2\x80\x8D"
        "cd",
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
        "e\xCC\x81\xCC\x82",
        "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D, world",
        "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C",
        "x\r\ny",
        "\xEF\xBB\xBFstart"}) {
    INFO("text: " << x);
    CHECK(round_trip(nfc(x)) == nfc(x));
  }
}

TEST_CASE("segmentation splits words, punctuation, digits and scripts", "[tokenizer]") {
  using V = std::vector<std::string>;
  CHECK(segment("Hello, world!", {}) == V{"Hello", ",", "\xE2\x96\x81world", "!"});
  CHECK(segment("abc123 x", {}) == V{"abc", "123", "\xE2\x96\x81x"});
  CHECK(segment("abc123", {.split_digits = true}) == V{"abc", "1", "2", "3"});
  CHECK(segment("  a", {}) == V{"\xE2\x96\x81\xE2\x96\x81"
                                "a"});
  CHECK(segment("a  ", {}) == V{"a", "\xE2\x96\x81\xE2\x96\x81"});
  CHECK(segment("a\tb", {}) == V{"a", "\\{9}", "b"});
  CHECK(segment("x\\y", {}) == V{"x", "\\\\", "y"});
  // Latin next to Cyrillic inside one ICU word is cut at the script change
  CHECK(segment("abc\xD0\xB4\xD0\xB0", {}) == V{"abc", "\xD0\xB4\xD0\xB0"});
  CHECK(segment("", {}).empty());
}

TEST_CASE("normalization: NFC by default, NFKC and lowercase on request", "[tokenizer]") {
  CHECK(nfc("e\xCC\x81") == "\xC3\xA9");         // e + combining acute -> é
  CHECK(nfc("\xEF\xAC\x81") == "\xEF\xAC\x81");  // the ligature ﬁ survives NFC
  CHECK(normalize_line("\xEF\xAC\x81", Normalization::nfkc, InvalidUtf8::replace, false, 1,
                       nullptr) == "fi");
  CHECK(normalize_line("\xC3\x80"
                       "B",
                       Normalization::nfc, InvalidUtf8::replace, true, 1, nullptr) ==
        "\xC3\xA0"
        "b");
  CHECK_THROWS_WITH(parse_normalization("nfd"), Catch::Contains("unknown normalization 'nfd'"));
}

TEST_CASE("invalid UTF-8: replaced and counted, or an error with line and byte", "[tokenizer]") {
  int64_t replaced = 0;
  CHECK(normalize_line("a\xFF"
                       "b\xC3",
                       Normalization::nfc, InvalidUtf8::replace, false, 7, &replaced) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD");
  CHECK(replaced == 2);
  CHECK_THROWS_WITH(
      normalize_line("ab\xFF", Normalization::nfc, InvalidUtf8::fail, false, 7, nullptr),
      Catch::Contains("line 7: invalid UTF-8 at byte 3"));
  CHECK_THROWS_WITH(parse_invalid_utf8("drop"),
                    Catch::Contains("unknown invalid-UTF-8 policy 'drop'"));
}
