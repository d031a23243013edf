#pragma once
#include <string>

#include "core/error.hpp"

namespace rnmt {

// Enums are parsed from text once, at the boundary (recipe, command line, public options), through
// one table per enum: {{Cell::lstm, "lstm"}, ...}. Inside, only the enum is compared.
template <class Enum>
struct EnumName {
  Enum value;
  const char* name;
};

// The names of a table, "a, b or c", for messages.
template <class Enum, size_t N>
std::string enum_name_list(const EnumName<Enum> (&table)[N]) {
  std::string list;
  for (size_t i = 0; i < N; ++i)
    list += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(table[i].name);
  return list;
}

// The enum named `text`; an Error naming `what` and the valid names otherwise.
template <class Enum, size_t N>
Enum parse_enum(const EnumName<Enum> (&table)[N], const std::string& text, const char* what) {
  for (const auto& entry : table) {
    if (text == entry.name) return entry.value;
  }
  throw Error("unknown " + std::string(what) + " '" + text + "' (expected " +
              enum_name_list(table) + ")");
}

template <class Enum, size_t N>
const char* enum_name(const EnumName<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

}  // namespace rnmt
