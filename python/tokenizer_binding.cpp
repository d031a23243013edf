// rnmt.Tokenizer: raw text to pieces (normalisation, segmentation, BPE) and back.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "python/bindings.hpp"
#include "rnmt/tokenizer.hpp"

namespace py = pybind11;

namespace rnmt::python {
namespace {

Tokenizer from_model(const std::string& model_path, const std::string& side) {
  if (side != "source" && side != "target")
    throw py::value_error("side must be 'source' or 'target', not '" + side + "'");
  return Tokenizer::from_model(model_path,
                               side == "source" ? ModelSide::source : ModelSide::target);
}

}  // namespace

void add_tokenizer(py::module_& m) {
  py::class_<Tokenizer>(m, "Tokenizer",
                        "rnmt's reversible tokenizer: normalisation, segmentation and BPE, as a "
                        "model file's or a tokenizer file's (WORKDIR/prepare/src.tokenizer, rnmt "
                        "learn-bpe's output).")
      .def(py::init<const std::string&>(), py::arg("path"),
           "Loads a tokenizer file; a bad file raises rnmt.Error.")
      .def_static("from_model", &from_model, py::arg("model_path"), py::arg("side") = "source",
                  "The source or target tokenizer of a model file.")
      .def(
          "tokenize", [](Tokenizer& t, const std::string& line) { return t.tokenize(line); },
          py::arg("line"), "Raw text -> pieces.")
      .def_static("detokenize", &Tokenizer::detokenize, py::arg("pieces"),
                  "Pieces -> raw text for rnmt's own segmentation (needs no model: the pieces "
                  "carry their spacing).")
      .def("decode", &Tokenizer::decode, py::arg("pieces"),
           "Pieces -> raw text as this tokenizer undoes its own pieces (also a converted "
           "model's whitespace or SentencePiece tokenizer).")
      .def_property_readonly(
          "vocabulary", [](const Tokenizer& t) { return t.vocabulary(); },
          "the pieces, by id (0-3: <pad>, <unk>, <s>, </s>)")
      .def_property_readonly("merges", &Tokenizer::merges, "the number of BPE merges");
}

}  // namespace rnmt::python
