#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rnmt {

// "▁" (U+2581): a space of the original text, carried at the front of the token that follows it.
inline constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";

struct SegmentOptions {
  bool split_digits = false;  // every digit its own token
  // When > 0: stop after this many tokens (a translation reads only the first pieces of a line,
  // and a line may be a gigabyte); *more then says whether the text went on.
  size_t max_tokens = 0;
};

// Splits normalized text into tokens: ICU word boundaries, then cuts inside a word where letters,
// digits, symbols and scripts meet (never inside a grapheme cluster). Each run of spaces becomes
// "▁"s at the front of the next token (a trailing run is a token of its own). Inside tokens, "\",
// "▁" and every white-space or control character are escaped ("\\", "\{HEX}"), so a token never
// contains white space and joining tokens undoes the segmentation exactly.
std::vector<std::string> segment(std::string_view normalized, const SegmentOptions& options,
                                 bool* more = nullptr);

// Tokens -> one line, separated by single spaces.
std::string join_tokens(const std::vector<std::string>& tokens);

// A tokenized line (tokens or BPE pieces separated by spaces) -> the original text: separators
// dropped, "▁" back to spaces, escapes undone. Needs no model.
std::string detokenize(std::string_view tokenized_line);

}  // namespace rnmt
