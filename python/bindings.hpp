#pragma once
// rnmt's Python module (import rnmt): one file per part of the API, each adding its classes and
// functions to the module.
#include <pybind11/pybind11.h>

namespace rnmt::python {

void add_translator(pybind11::module_& m);  // Translator, translation and scoring results
void add_tokenizer(pybind11::module_& m);   // Tokenizer
void add_bleu(pybind11::module_& m);        // bleu() and its result
void add_run(pybind11::module_& m);         // run(): a recipe, as `rnmt run`

}  // namespace rnmt::python
