#pragma once
// TranslationOptions from Python keyword arguments, by the names of the options' field table.
#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

#include "rnmt/translator.hpp"

namespace rnmt::python {

// The translator's default_options() with `kwargs` applied. An unknown name, or a value of the
// wrong type, raises TypeError naming the option and `call` ("translate(): option 'beam_size'
// expects an int, got str"); a value rnmt refuses raises rnmt.Error when the call runs.
TranslationOptions translation_options(const Translator& translator, const pybind11::kwargs& kwargs,
                                       const char* call);

// `value` as a list of str (any sequence of str but a str itself), or nullopt when it is not one.
std::optional<std::vector<std::string>> string_list(const pybind11::handle& value);

// Every option of translator.default_options(), by name.
pybind11::dict default_options_dict(const Translator& translator);

}  // namespace rnmt::python
