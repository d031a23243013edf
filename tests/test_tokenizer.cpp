// The tokenizer's promise: detokenize(tokenize(x)) == normalize(x), byte for byte, for any text.
#include <catch2/catch.hpp>

#include <unicode/utf8.h>

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/rng.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/tokenizer.hpp"

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

TEST_CASE("round trip of real sentences in many languages", "[tokenizer]") {
  // Natural text (written for this test), with the punctuation, numbers and spacing of each script.
  const char* sentences[] = {
      "The committee met on 3 March 2024, at 10:30 a.m., and adjourned \xE2\x80\x94 briefly.",
      "Die Gr\xC3\xB6\xC3\x9F"
      "e des Hauses betr\xC3\xA4gt 120\xE2\x80\xAFm\xC2\xB2; \xE2\x80\x9EWunderbar!\xE2\x80\x9C, "
      "sagte sie.",
      "L'\xC3\xA9t\xC3\xA9 dernier, nous sommes all\xC3\xA9s \xC3\xA0 Montr\xC3\xA9"
      "al \xC2\xAB en voiture \xC2\xBB.",
      "\xD0\x9C\xD1\x8B "
      "\xD0\xB2\xD1\x81\xD1\x82\xD1\x80\xD0\xB5\xD1\x82\xD0\xB8\xD0\xBB\xD0\xB8\xD1\x81\xD1\x8C "
      "\xD0\xB2 5 \xD1\x87\xD0\xB0\xD1\x81\xD0\xBE\xD0\xB2 "
      "\xD0\xB2\xD0\xB5\xD1\x87\xD0\xB5\xD1\x80\xD0\xB0.",
      "\xCE\x9A\xCE\xB1\xCE\xBB\xCE\xB7\xCE\xBC\xCE\xAD\xCF\x81\xCE\xB1, \xCF\x84\xCE\xB9 "
      "\xCE\xBA\xCE\xAC\xCE\xBD\xCE\xB5\xCE\xB9\xCF\x82;",
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 "
      "\xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85\xD8\x8C \xD9\x87\xD8\xB0\xD8\xA7 "
      "\xD8\xA7\xD8\xAE\xD8\xAA\xD8\xA8\xD8\xA7\xD8\xB1 \xD9\xA1\xD9\xA2\xD9\xA3.",
      "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D "
      "(\xD7\x91\xD7\x93\xD7\x99\xD7\xA7\xD7\x94 2).",
      "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87, "
      "\xE0\xA4\x86\xE0\xA4\xAA \xE0\xA4\x95\xE0\xA5\x88\xE0\xA4\xB8\xE0\xA5\x87 "
      "\xE0\xA4\xB9\xE0\xA5\x88\xE0\xA4\x82?",
      "\xE6\x88\x91\xE4\xBB\xAC\xE6\x98\x8E\xE5\xA4\xA9\xE5\x8E\xBB\xE5\x8C\x97\xE4\xBA\xAC\xEF\xBC"
      "\x8C\xE5\xA5\xBD\xE5\x90\x97\xEF\xBC\x9F",
      "\xE4\xBB\x8A\xE6\x97\xA5\xE3\x81\xAF\xE3\x81\x84\xE3\x81\x84\xE5\xA4\xA9\xE6\xB0\x97\xE3\x81"
      "\xA7\xE3\x81\x99\xE3\x81\xAD\xE3\x80\x82",
      "\xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94, "
      "\xEB\xB0\x98\xEA\xB0\x91\xEC\x8A\xB5\xEB\x8B\x88\xEB\x8B\xA4!",
      "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA\xE0\xB8\x94\xE0\xB8\xB5\xE0\xB8\x84\xE0\xB8"
      "\xA3\xE0\xB8\xB1\xE0\xB8\x9A",
      "Great job \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB  "
      "see https://example.org/a_b?c=1&d=2 #tag @user",
  };
  for (const char* s : sentences) {
    INFO("text: " << s);
    const std::string x = nfc(s);
    CHECK(round_trip(x) == x);
    CHECK(round_trip(x, {.split_digits = true}) == x);
  }
}

TEST_CASE("a line's first pieces alone are the first pieces of the whole line, for random text",
          "[tokenizer]") {
  // What translation reads of a long line (tokenize_prefix) against the whole tokenization.
  TokenizerModel model;
  train_bpe(model, {{"\xE2\x96\x81the", 9}, {"there", 5}, {"\xE2\x96\x81\xC3\xA9t\xC3\xA9", 4}},
            {.merges = 8, .min_frequency = 1});
  PieceTokenizer tokenizer(model);
  Rng rng(77);
  int64_t cut = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string x = random_text(rng) + "   " + random_text(rng) + (i % 3 ? "" : "  ");
    INFO("text: " << x);
    const auto whole = tokenizer.tokenize(x);
    for (size_t max_pieces : {size_t{1}, size_t{3}, size_t{10}}) {
      bool truncated = false;
      const auto prefix = tokenizer.tokenize_prefix(x, 1, max_pieces, &truncated);
      REQUIRE(truncated == (whole.size() > max_pieces));
      REQUIRE(prefix == std::vector<std::string>(
                            whole.begin(),
                            whole.begin() + static_cast<long>(std::min(max_pieces, whole.size()))));
      cut += truncated;
    }
  }
  CHECK(cut > 1000);  // most lines were cut somewhere
}

TEST_CASE("text lines: CR LF ends a line as LF does, a lone CR is kept", "[tokenizer]") {
  std::istringstream in("one\r\ntwo\nthree\rfour\r\n\r\n\rfive");
  std::vector<std::string> lines;
  for (std::string line; read_text_line(in, line);) lines.push_back(line);
  CHECK(lines == std::vector<std::string>{"one", "two", "three\rfour", "", "\rfive"});
}
