// rnmt.Tokenizer: raw text to pieces (normalisation, segmentation, BPE) and back.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "model_file/model_file.hpp"
#include "python/bindings.hpp"
#include "rnmt/error.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/tokenizer.hpp"

namespace py = pybind11;

namespace rnmt::python {
namespace {

std::unique_ptr<Tokenizer> from_model(const std::string& model_path, const std::string& side) {
  if (side != "source" && side != "target")
    throw py::value_error("side must be 'source' or 'target', not '" + side + "'");
  ModelTokenizers tokenizers = load_model_tokenizers(model_path);  // no network built
  return std::move(side == "source" ? tokenizers.src : tokenizers.tgt);
}

std::string detokenize_pieces(const std::vector<std::string>& pieces) {
  return detokenize(join_tokens(pieces));
}

}  // namespace

void add_tokenizer(py::module_& m) {
  py::class_<Tokenizer>(m, "Tokenizer",
                        "rnmt's reversible tokenizer: normalisation, segmentation and BPE, as a "
                        "model file's or a tokenizer file's (WORKDIR/prepare/src.tokenizer, rnmt "
                        "learn-bpe's output).")
      .def(py::init([](const std::string& path) {
             return std::make_unique<Tokenizer>(load_tokenizer(path));
           }),
           py::arg("path"), "Loads a tokenizer file; a bad file raises rnmt.Error.")
      .def_static("from_model", &from_model, py::arg("model_path"), py::arg("side") = "source",
                  "The source or target tokenizer of a model file.")
      .def(
          "tokenize", [](Tokenizer& t, const std::string& line) { return t.tokenize(line); },
          py::arg("line"), "Raw text -> pieces.")
      .def_static("detokenize", &detokenize_pieces, py::arg("pieces"),
                  "Pieces -> raw text (needs no model: the pieces carry their spacing).")
      .def_property_readonly(
          "vocabulary", [](const Tokenizer& t) { return t.model().vocabulary.pieces; },
          "the pieces, by id (0-3: <pad>, <unk>, <s>, </s>)")
      .def_property_readonly(
          "merges", [](const Tokenizer& t) { return t.model().merges.size(); },
          "the number of BPE merges");
}

}  // namespace rnmt::python
