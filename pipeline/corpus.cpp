#include "pipeline/corpus.hpp"

#include <algorithm>
#include <fstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "training/workdir.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in = open_input_file(path);
  std::vector<std::string> lines;
  for (std::string l; read_text_line(in, l);) lines.push_back(std::move(l));
  return lines;
}

Sentence encode_line(PieceTokenizer& t, const std::string& line, float dropout, Rng* rng) {
  Sentence ids;
  for (const auto& p : t.tokenize(line, 0, nullptr, dropout, rng))
    ids.push_back(t.model().vocabulary.id(p));
  return ids;
}

}  // namespace

Corpus read_corpus(const Recipe::Pair& p) {
  Corpus c{read_lines(p.src), read_lines(p.tgt)};
  if (c.src.size() != c.tgt.size()) {
    throw Error("parallel files differ in length: '" + p.src + "' has " +
                std::to_string(c.src.size()) + " lines, '" + p.tgt + "' has " +
                std::to_string(c.tgt.size()));
  }
  return c;
}

std::string src_tokenizer_path(const Recipe& r) {
  return Workdir{r.workdir}.source_tokenizer();
}

std::string tgt_tokenizer_path(const Recipe& r) {
  return Workdir{r.workdir}.target_tokenizer(r.tokenizer.joint);
}

Tokenizers load_tokenizers(const Recipe& r) {
  return {PieceTokenizer(load_tokenizer(src_tokenizer_path(r))),
          PieceTokenizer(load_tokenizer(tgt_tokenizer_path(r)))};
}

bool encode_pair(const std::string& src_line, const std::string& tgt_line, PieceTokenizer& src,
                 PieceTokenizer& tgt, int64_t max_length, DroppedPairs& dropped, Sentence& s,
                 Sentence& t, float dropout, Rng* rng) {
  s = encode_line(src, src_line, dropout, rng);
  t = encode_line(tgt, tgt_line, dropout, rng);
  const auto ls = static_cast<int64_t>(s.size()), lt = static_cast<int64_t>(t.size());
  if (ls == 0 || lt == 0) {
    ++dropped.empty_side;
  } else if (ls > max_length || lt > max_length) {
    ++dropped.too_long;
  } else if (std::max(ls, lt) > 9 && std::max(ls, lt) > 3 * std::min(ls, lt)) {
    ++dropped.length_ratio;
  } else {
    return true;
  }
  return false;
}

ParallelData encode_corpus(const Corpus& c, PieceTokenizer& src, PieceTokenizer& tgt,
                           int64_t max_length, bool source_eos, DroppedPairs& dropped,
                           float dropout, Rng* rng) {
  ParallelData d;
  d.src_vocab = static_cast<int64_t>(src.model().vocabulary.size());
  d.tgt_vocab = static_cast<int64_t>(tgt.model().vocabulary.size());
  Sentence s, t;
  for (size_t i = 0; i < c.src.size(); ++i) {
    if (!encode_pair(c.src[i], c.tgt[i], src, tgt, max_length, dropped, s, t, dropout, rng))
      continue;
    if (source_eos) s.push_back(kEos);
    d.src.push_back(std::move(s));
    d.tgt.push_back(std::move(t));
  }
  return d;
}

std::vector<std::string> translate_lines(Seq2Seq& model, PieceTokenizer& src, PieceTokenizer& tgt,
                                         const std::vector<std::string>& lines, const Recipe& r,
                                         TranslationOptions o, const TranslationProgress& progress,
                                         const Shortlist* shortlist) {
  o.max_batch_size = 64;
  if (!shortlist) o.use_shortlist = false;
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& result :
       translate_text({TranslationModel{{{model, src, r.data.max_length, 1.0, shortlist}}, tgt}},
                      lines, o, progress))
    out.push_back(std::move(result.hypotheses.front().text));
  return out;
}

}  // namespace rnmt
