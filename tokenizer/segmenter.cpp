#include "tokenizer/segmenter.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <cstdio>
#include <memory>

#include "core/error.hpp"

namespace rnmt {
namespace {

enum class Kind { space, letter, digit, other };

struct ClusterClass {
  Kind kind;
  UScriptCode script;
};

ClusterClass classify(UChar32 c, std::string_view cluster) {
  if (cluster == " ") return {Kind::space, USCRIPT_COMMON};
  if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) return {Kind::digit, USCRIPT_COMMON};
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) {
    UErrorCode status = U_ZERO_ERROR;
    return {Kind::letter, uscript_getScript(c, &status)};
  }
  return {Kind::other, USCRIPT_COMMON};
}

// Whether a token boundary falls between two adjacent clusters of one ICU word segment.
bool cut_between(const ClusterClass& a, const ClusterClass& b, const SegmentOptions& options) {
  if (a.kind != b.kind || a.kind == Kind::other) return true;
  if (a.kind == Kind::digit) return options.split_digits;
  // letters: a change of script, unless one side is script-neutral (Common or Inherited)
  const auto neutral = [](UScriptCode s) { return s == USCRIPT_COMMON || s == USCRIPT_INHERITED; };
  return a.script != b.script && !neutral(a.script) && !neutral(b.script);
}

bool needs_escape(UChar32 c) {
  return c == '\\' || c == 0x2581 || c == ' ' || u_isUWhiteSpace(c) ||
         u_charType(c) == U_CONTROL_CHAR;
}

void append_escaped(std::string& out, std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0 && needs_escape(c)) {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\{%X}", static_cast<unsigned>(c));
      out += buffer;
    } else {
      out.append(text.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    }
  }
}

struct Iterators {
  std::unique_ptr<icu::BreakIterator> words, characters;
  Iterators() {
    UErrorCode status = U_ZERO_ERROR;
    words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    characters.reset(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status))
      throw Error(std::string("ICU break iterators unavailable: ") + u_errorName(status));
  }
};

}  // namespace

std::vector<std::string> segment(std::string_view text, const SegmentOptions& options, bool* more) {
  std::vector<std::string> tokens;
  if (more) *more = false;
  if (text.empty()) return tokens;
  thread_local Iterators it;  // creating ICU iterators is costly; one pair per thread
  UErrorCode status = U_ZERO_ERROR;
  UText* utext = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  it.words->setText(utext, status);
  it.characters->setText(utext, status);
  if (U_FAILURE(status)) {
    utext_close(utext);
    throw Error(std::string("ICU segmentation failed: ") + u_errorName(status));
  }
  size_t pending_spaces = 0;
  bool open = false;  // whether tokens.back() may still grow
  ClusterClass previous{Kind::space, USCRIPT_COMMON};
  bool full = false;  // max_tokens reached and another token begins: stop reading
  auto start_token = [&] {
    if (options.max_tokens > 0 && tokens.size() == options.max_tokens) {
      full = true;
      return;
    }
    tokens.emplace_back();
    for (; pending_spaces > 0; --pending_spaces) tokens.back() += kSpaceMarker;
    open = true;
  };
  for (int32_t begin = it.words->first(), end = it.words->next();
       !full && end != icu::BreakIterator::DONE; begin = end, end = it.words->next()) {
    open = false;  // a word boundary always ends the token
    for (int32_t pos = begin; !full && pos < end;) {
      int32_t next = it.characters->following(pos);
      if (next == icu::BreakIterator::DONE || next > end) next = end;
      const std::string_view cluster =
          text.substr(static_cast<size_t>(pos), static_cast<size_t>(next - pos));
      UChar32 c;
      int32_t i = 0;
      U8_NEXT(reinterpret_cast<const uint8_t*>(cluster.data()), i,
              static_cast<int32_t>(cluster.size()), c);
      const ClusterClass current = classify(c, cluster);
      if (current.kind == Kind::space) {
        ++pending_spaces;
        open = false;
      } else {
        if (!open || cut_between(previous, current, options)) start_token();
        if (full) break;
        append_escaped(tokens.back(), cluster);
      }
      previous = current;
      pos = next;
    }
  }
  utext_close(utext);
  if (!full && pending_spaces > 0) start_token();
  if (more) *more = full;
  return tokens;
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string line;
  for (const auto& t : tokens) {
    if (!line.empty()) line += ' ';
    line += t;
  }
  return line;
}

std::string detokenize(std::string_view tokenized_line) {
  // Separators first: BPE may have cut an escape sequence into pieces.
  std::string tokenized;
  tokenized.reserve(tokenized_line.size());
  for (char ch : tokenized_line) {
    if (ch != ' ') tokenized += ch;
  }
  std::string out;
  out.reserve(tokenized.size());
  for (size_t i = 0; i < tokenized.size();) {
    const char ch = tokenized[i];
    if (tokenized.compare(i, kSpaceMarker.size(), kSpaceMarker) == 0) {
      out += ' ';
      i += kSpaceMarker.size();
    } else if (ch == '\\' && i + 1 < tokenized.size() && tokenized[i + 1] == '\\') {
      out += '\\';
      i += 2;
    } else if (ch == '\\' && i + 1 < tokenized.size() && tokenized[i + 1] == '{') {
      const size_t close = tokenized.find('}', i + 2);
      unsigned value = 0;
      bool ok = close != std::string_view::npos && close > i + 2 && close - i - 2 <= 6;
      for (size_t k = i + 2; ok && k < close; ++k) {
        const char h = tokenized[k];
        const int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        ok = digit >= 0;
        value = value * 16 + static_cast<unsigned>(digit);
      }
      uint8_t buffer[4];
      int32_t length = 0;
      UBool error = !ok || value > 0x10FFFF;
      if (!error)
        U8_APPEND(buffer, length, 4, static_cast<UChar32>(value), error);  // refuses surrogates
      if (!error) {
        out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
        i = close + 1;
      } else {
        out += ch;  // not an escape rnmt wrote: kept as it is
        ++i;
      }
    } else {
      out += ch;
      ++i;
    }
  }
  return out;
}

}  // namespace rnmt
