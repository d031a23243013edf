#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/enum_names.hpp"

namespace rnmt {

// none: the text as it is (valid UTF-8 still checked); models converted from programs that read
// pre-tokenized text unchanged (rnmt convert) use it.
enum class Normalization { nfc, nfkc, none };
enum class InvalidUtf8 { replace, fail };  // replace: U+FFFD for each bad sequence, counted
inline constexpr EnumName<Normalization> kNormalizationNames[] = {
    {Normalization::nfc, "nfc"}, {Normalization::nfkc, "nfkc"}, {Normalization::none, "none"}};
inline constexpr EnumName<InvalidUtf8> kInvalidUtf8Names[] = {{InvalidUtf8::replace, "replace"},
                                                              {InvalidUtf8::fail, "fail"}};

Normalization parse_normalization(const std::string& name);  // "nfc" | "nfkc" | "none"
InvalidUtf8 parse_invalid_utf8(const std::string& name);     // "replace" | "fail"

// Whether `text` is well-formed UTF-8 (no stray, overlong, surrogate or out-of-range sequences).
bool is_valid_utf8(std::string_view text);

// Turns one line of input into valid, normalized UTF-8 (ICU). Invalid byte sequences follow the
// policy: replaced by U+FFFD (each adds one to *replaced), or an Error naming line_number and the
// byte offset. Lowercasing (ICU's root-locale full case mapping) is applied last when asked.
std::string normalize_line(std::string_view line, Normalization form, InvalidUtf8 policy,
                           bool lowercase, int64_t line_number, int64_t* replaced);

}  // namespace rnmt
