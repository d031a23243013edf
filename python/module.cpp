// import rnmt: the Python module. rnmt::Error becomes rnmt.Error, a RuntimeError.
#include "python/bindings.hpp"
#include "rnmt/error.hpp"
#include "rnmt/version.hpp"

PYBIND11_MODULE(rnmt, m) {
  m.doc() =
      "rnmt: recurrent neural machine translation.\n\n"
      "    translator = rnmt.Translator('model.rnmt')\n"
      "    for result in translator.translate(['Hello world.'], beam_size=5):\n"
      "        print(result.text, result.score)\n";
  // Every error rnmt reports (a corrupt model file, a bad recipe, invalid UTF-8 under the 'fail'
  // policy) arrives as rnmt.Error with rnmt's message.
  pybind11::register_exception<rnmt::Error>(m, "Error", PyExc_RuntimeError);
  m.attr("__version__") = rnmt::version();
  rnmt::python::add_translator(m);
  rnmt::python::add_tokenizer(m);
  rnmt::python::add_bleu(m);
  rnmt::python::add_run(m);
}
