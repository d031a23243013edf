#include "python/options.hpp"

#include <pybind11/stl.h>

#include <string>
#include <variant>
#include <vector>

namespace py = pybind11;

namespace rnmt::python {
namespace {

using O = TranslationOptions;
using Option = TranslationOptionField;

std::string type_name(const py::handle& value) {
  return py::str(py::type::of(value).attr("__name__")).cast<std::string>();
}

// Python's bool is an int: an int option refuses it, as a typo rather than a number.
bool is_int(const py::handle& v) {
  return py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v);
}

void set(O& options, const Option& option, const py::handle& value, const char* call) {
  auto refuse = [&](const char* expected) {
    return py::type_error(std::string(call) + "(): option '" + option.name + "' expects " +
                          expected + ", got " + type_name(value));
  };
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(options.*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          if (!py::isinstance<py::bool_>(value)) throw refuse("a bool");
          options.*member = value.cast<bool>();
        } else if constexpr (std::is_same_v<T, double>) {
          if (!is_int(value) && !py::isinstance<py::float_>(value)) throw refuse("a number");
          options.*member = value.cast<double>();
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!py::isinstance<py::str>(value)) throw refuse("a str");
          options.*member = value.cast<std::string>();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          auto list = string_list(value);
          if (!list) throw refuse("a list of str");
          options.*member = std::move(*list);
        } else {  // the integers
          if (!is_int(value)) throw refuse("an int");
          try {
            options.*member = value.cast<T>();
          } catch (const py::cast_error&) {  // out of range: a negative seed, say
            throw py::type_error(std::string(call) + "(): option '" + option.name +
                                 "' is out of range: " + py::repr(value).cast<std::string>());
          }
        }
      },
      option.member);
}

std::string option_names() {
  std::string names;
  for (const Option& o : translation_option_fields())
    names += (names.empty() ? "" : ", ") + std::string(o.name);
  return names;
}

}  // namespace

std::optional<std::vector<std::string>> string_list(const py::handle& value) {
  if (py::isinstance<py::str>(value) || !py::isinstance<py::sequence>(value)) return std::nullopt;
  try {
    return value.cast<std::vector<std::string>>();
  } catch (const py::cast_error&) {
    return std::nullopt;
  }
}

TranslationOptions translation_options(const Translator& translator, const py::kwargs& kwargs,
                                       const char* call) {
  TranslationOptions options = translator.default_options();
  for (const auto& [key, value] : kwargs) {
    const std::string name = key.cast<std::string>();
    const Option* option = find_translation_option(name);
    if (!option || name != option->name)
      throw py::type_error(std::string(call) + "(): unknown option '" + name +
                           "' (options: " + option_names() + ")");
    set(options, *option, value, call);
  }
  return options;
}

py::dict default_options_dict(const Translator& translator) {
  const TranslationOptions options = translator.default_options();
  py::dict dict;
  for (const Option& o : translation_option_fields())
    std::visit([&](auto member) { dict[o.name] = py::cast(options.*member); }, o.member);
  return dict;
}

}  // namespace rnmt::python
