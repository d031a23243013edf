#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "evaluation/bleu.hpp"
#include "model_file/weights.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"
#include "recipe/model_config.hpp"
#include "training/workdir.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

void evaluate_stage(const Recipe& r, std::ostream& log, const RunContext& context) {
  if (r.data.test.src.empty()) {
    log << "evaluate: no data.test in the recipe; skipped" << std::endl;
    return;
  }
  Tokenizers t = load_tokenizers(r);
  const auto model =
      Seq2Seq::for_inference(model_config(r, static_cast<int64_t>(t.src.model().vocabulary.size()),
                                          static_cast<int64_t>(t.tgt.model().vocabulary.size())));
  set_weights(model->params(), final_weights(r, log), Workdir{r.workdir}.train().dir);
  const Corpus test = read_corpus(r.data.test);
  const auto start = std::chrono::steady_clock::now();
  TranslationOptions options = translation_options(r);
  options.threads = static_cast<int>(r.training.threads);
  std::optional<Shortlist> shortlist;
  if (options.use_shortlist) {
    shortlist = learned_shortlist(r, log);
    if (!shortlist) throw Error("translate.use_shortlist: " + std::string(kNoShortlist));
  }
  const auto hyps = translate_lines(
      *model, t.src, t.tgt, test.src, r, options, [&](int64_t, int64_t) { stop_point(context); },
      shortlist ? &*shortlist : nullptr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::create_directories(Workdir{r.workdir}.evaluate());
  std::string text;
  int64_t exact = 0;
  for (size_t i = 0; i < hyps.size(); ++i) {
    text += hyps[i] + "\n";
    exact += hyps[i] == test.tgt[i];
  }
  write_file_atomically(Workdir{r.workdir}.test_hypotheses(), text);
  const BleuScore bleu = corpus_bleu(hyps, {test.tgt});
  const std::string report = bleu.format() + "\n" + bleu.signature() + "\n" + "exact match: " +
                             std::to_string(100.0 * static_cast<double>(exact) /
                                            static_cast<double>(std::max<size_t>(1, hyps.size())))
                                 .substr(0, 5) +
                             "% (" + std::to_string(exact) + " of " + std::to_string(hyps.size()) +
                             ")\n";
  write_file_atomically(Workdir{r.workdir}.test_scores(), report);
  const std::string decoding = r.translate.sampling_topk != 1 ? std::string("sampling")
                               : r.translate.beam_size > 1
                                   ? "beam " + std::to_string(r.translate.beam_size)
                                   : std::string("greedy");
  log << "evaluate: " << hyps.size() << " test sentences translated (" << decoding << ") in "
      << seconds << " s\n"
      << report;
  for (size_t i = 0; i < std::min<size_t>(5, hyps.size()); ++i) {
    log << "  " << test.src[i] << "\n    -> " << hyps[i]
        << (hyps[i] == test.tgt[i] ? "" : "   (reference: " + test.tgt[i] + ")") << "\n";
  }
  log.flush();
}

}  // namespace rnmt
