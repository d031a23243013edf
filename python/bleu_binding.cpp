// rnmt.bleu(): corpus BLEU exactly as sacreBLEU 2 computes it by default.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "python/bindings.hpp"
#include "rnmt/bleu.hpp"

namespace py = pybind11;

namespace rnmt::python {
namespace {

// references: one reference per hypothesis (a list of str), or sacreBLEU's list of reference
// streams (references[r][i]: reference r of sentence i).
BleuScore bleu(const std::vector<std::string>& hypotheses, const py::handle& references) {
  std::vector<std::vector<std::string>> streams;
  try {
    if (py::isinstance<py::sequence>(references) && py::len(references) > 0 &&
        py::isinstance<py::str>(references[py::int_(0)])) {
      streams.push_back(references.cast<std::vector<std::string>>());
    } else {
      streams = references.cast<std::vector<std::vector<std::string>>>();
    }
  } catch (const py::cast_error&) {
    throw py::type_error("bleu(): references must be a list of str or a list of lists of str");
  }
  return corpus_bleu(hypotheses, streams);
}

}  // namespace

void add_bleu(py::module_& m) {
  py::class_<BleuScore>(m, "BleuScore", "Corpus BLEU and what it is made of, as sacreBLEU's.")
      .def_readonly("score", &BleuScore::score, "0-100")
      .def_property_readonly(
          "precisions",
          [](const BleuScore& b) { return std::vector<double>(b.precisions, b.precisions + 4); },
          "n-gram precisions for n = 1..4, in percent")
      .def_readonly("bp", &BleuScore::brevity_penalty, "the brevity penalty")
      .def_property_readonly(
          "sys_len", [](const BleuScore& b) { return b.stats.hyp_len; }, "hypothesis length")
      .def_property_readonly(
          "ref_len", [](const BleuScore& b) { return b.stats.ref_len; }, "reference length")
      .def_property_readonly(
          "counts",
          [](const BleuScore& b) {
            return std::vector<int64_t>(b.stats.matches, b.stats.matches + 4);
          },
          "clipped n-gram matches, n = 1..4")
      .def_property_readonly(
          "totals",
          [](const BleuScore& b) {
            return std::vector<int64_t>(b.stats.totals, b.stats.totals + 4);
          },
          "hypothesis n-grams, n = 1..4")
      .def("signature", &BleuScore::signature,
           "sacreBLEU's signature: nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0")
      .def("__str__", &BleuScore::format)
      .def("__repr__", [](const BleuScore& b) { return "<rnmt.BleuScore " + b.format() + ">"; });
  m.def("bleu", &bleu, py::arg("hypotheses"), py::arg("references"),
        "Corpus BLEU as sacreBLEU 2 computes it by default (13a, mixed case, exponential "
        "smoothing). references: one str per hypothesis, or a list of such lists (several "
        "references). Different counts raise rnmt.Error.");
}

}  // namespace rnmt::python
