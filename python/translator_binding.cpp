// rnmt.Translator: translate() and score() with TranslationOptions' names as keyword arguments;
// the GIL is released while rnmt works, so Python threads translate side by side.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "python/bindings.hpp"
#include "python/options.hpp"
#include "rnmt/translator.hpp"

namespace py = pybind11;

namespace rnmt::python {
namespace {

// Each output token's weights over the source tokens, as a float32 array [output, source]; None
// when attention was not asked for.
py::object attention_array(const TranslationHypothesis& h) {
  if (h.attention.empty()) return py::none();
  const size_t rows = h.attention.size(), cols = h.attention.front().size();
  py::array_t<float> array({rows, cols});
  auto view = array.mutable_unchecked<2>();
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j)
      view(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(j)) = h.attention[i][j];
  return array;
}

py::list alignment_pairs(const TranslationHypothesis& h) {
  py::list pairs;
  for (const AlignmentPoint& p : h.alignment) pairs.append(py::make_tuple(p.source, p.target));
  return pairs;
}

const TranslationHypothesis& best(const TranslationResult& r) {
  return r.hypotheses.front();  // never empty: an empty line gives one empty hypothesis
}

std::vector<std::string> lines_argument(const py::handle& lines, const char* call,
                                        const char* name) {
  auto list = string_list(lines);
  if (!list) throw py::type_error(std::string(call) + "(): " + name + " must be a list of str");
  return std::move(*list);
}

std::vector<TranslationResult> translate(const Translator& translator, const py::handle& lines,
                                         const py::kwargs& kwargs) {
  const std::vector<std::string> text = lines_argument(lines, "translate", "lines");
  const TranslationOptions options = translation_options(translator, kwargs, "translate");
  py::gil_scoped_release release;  // rnmt's threads, and other Python threads, go on meanwhile
  return translator.translate(text, options);
}

std::vector<ScoringResult> score(const Translator& translator, const py::handle& sources,
                                 const py::handle& targets, const py::kwargs& kwargs) {
  const std::vector<std::string> src = lines_argument(sources, "score", "sources");
  const std::vector<std::string> tgt = lines_argument(targets, "score", "targets");
  const TranslationOptions options = translation_options(translator, kwargs, "score");
  py::gil_scoped_release release;
  return translator.score(src, tgt, options);
}

}  // namespace

void add_translator(py::module_& m) {
  py::class_<TranslationHypothesis>(m, "Hypothesis", "One translation of a line.")
      .def_readonly("text", &TranslationHypothesis::text, "the translation, raw text")
      .def_readonly("tokens", &TranslationHypothesis::tokens, "the model's output pieces")
      .def_readonly("score", &TranslationHypothesis::score,
                    "log p / length^length_penalty (the length counts </s>)")
      .def_property_readonly("alignment", &alignment_pairs,
                             "with return_alignments: (source, target) token positions, each "
                             "output token and the source token it attends to most")
      .def_property_readonly("attention", &attention_array,
                             "with return_attention: a float32 NumPy array [output tokens, source "
                             "tokens] of attention weights; else None")
      .def("__repr__", [](const TranslationHypothesis& h) {
        return "<rnmt.Hypothesis " + py::repr(py::str(h.text)).cast<std::string>() + ">";
      });

  py::class_<TranslationResult>(m, "TranslationResult",
                                "A line's translations, best first; text, tokens, score, "
                                "alignment and attention are the best one's.")
      .def_readonly("hypotheses", &TranslationResult::hypotheses)
      .def_readonly("source_tokens", &TranslationResult::source_tokens, "the pieces the model read")
      .def_readonly("truncated", &TranslationResult::truncated,
                    "the line had more pieces than the model takes and was cut")
      .def_property_readonly("text", [](const TranslationResult& r) { return best(r).text; })
      .def_property_readonly("tokens", [](const TranslationResult& r) { return best(r).tokens; })
      .def_property_readonly("score", [](const TranslationResult& r) { return best(r).score; })
      .def_property_readonly("alignment",
                             [](const TranslationResult& r) { return alignment_pairs(best(r)); })
      .def_property_readonly("attention",
                             [](const TranslationResult& r) { return attention_array(best(r)); })
      .def("__repr__", [](const TranslationResult& r) {
        return "<rnmt.TranslationResult " + py::repr(py::str(best(r).text)).cast<std::string>() +
               ">";
      });

  py::class_<ScoringResult>(m, "ScoringResult", "How probable the model finds a translation.")
      .def_readonly("log_probability", &ScoringResult::log_probability,
                    "log p(target, </s> | source); NaN for an empty source")
      .def_readonly("tokens", &ScoringResult::tokens, "the target pieces scored")
      .def_readonly("token_log_probabilities", &ScoringResult::token_log_probabilities,
                    "one per piece, then one for </s>")
      .def_readonly("truncated", &ScoringResult::truncated);

  py::class_<Translator>(m, "Translator",
                         "A model file written by `rnmt run` (or several: an ensemble). One "
                         "Translator may be used from several threads at once.")
      .def(py::init<const std::string&>(), py::arg("model_path"),
           "Loads and checks the model file; a missing, corrupt or foreign file raises "
           "rnmt.Error.")
      .def(py::init<const std::vector<std::string>&, const std::vector<double>&>(),
           py::arg("model_paths"), py::arg("weights") = std::vector<double>{},
           "An ensemble: the models' log-probabilities combined with these weights (default: "
           "the mean).")
      .def("translate", &translate, py::arg("lines"),
           "Translates raw-text lines; one result per line, in order. Keyword arguments are "
           "TranslationOptions' (beam_size, num_hypotheses, length_penalty, sampling_topk, "
           "return_attention, ...), starting from the model recipe's defaults.")
      .def("score", &score, py::arg("sources"), py::arg("targets"),
           "log p(target | source) of each pair (forced decoding); options as translate's "
           "batch sizes, threads and compute_type.")
      .def(
          "validate",
          [](const Translator& translator, const py::kwargs& kwargs) {
            translator.validate(translation_options(translator, kwargs, "validate"));
          },
          "Checks options as translate() and score() do, without translating anything: raises "
          "rnmt.Error saying what is wrong (a beam of 0, bfloat16 on a CPU without it, "
          "alignments from a model without attention, ...), TypeError for an unknown option.")
      .def("default_options", &default_options_dict,
           "The options the model's recipe chose, as a dict of keyword arguments.")
      .def_property_readonly("max_source_length", &Translator::max_source_length,
                             "the longest source, in pieces, the model takes");
}

}  // namespace rnmt::python
