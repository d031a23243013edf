#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include "core/error.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"

namespace rnmt {
namespace fs = std::filesystem;
namespace {

TokenizerModel learn_tokenizer(const Recipe& r,
                               const std::vector<const std::vector<std::string>*>& sides) {
  TokenizerModel m;
  m.options.normalization = r.tokenizer.normalization;
  TokenizerModel whole = m;
  Tokenizer plain(whole);
  std::unordered_map<std::string, int64_t> words;
  int64_t line_number = 0, replaced = 0;
  for (const auto* side : sides) {
    for (const auto& line : *side) {
      for (auto& t : plain.tokenize(line, ++line_number, &replaced)) ++words[t];
    }
  }
  train_bpe(m, words,
            {.merges = r.tokenizer.merges, .dropout_vocabulary = r.tokenizer.dropout > 0});
  return m;
}

}  // namespace

void prepare_stage(const Recipe& r, std::ostream& log) {
  const std::vector<std::string> files = {r.data.train.src, r.data.train.tgt, r.data.valid.src,
                                          r.data.valid.tgt};
  const bool missing =
      std::any_of(files.begin(), files.end(), [](const auto& f) { return !fs::exists(f); });
  if (missing && !r.data.prepare.empty()) {
    log << "prepare: running data.prepare: " << r.data.prepare << std::endl;
    const int status = std::system(r.data.prepare.c_str());
    if (status != 0)
      throw Error("data.prepare command failed (status " + std::to_string(status) +
                  "): " + r.data.prepare);
  }
  for (const auto& f : files) {
    if (!fs::exists(f))
      throw Error("data file '" + f + "' is missing (and data.prepare did not make it)");
  }
  const Corpus train = read_corpus(r.data.train);
  read_corpus(r.data.valid);  // checks line counts
  if (!r.data.test.src.empty()) read_corpus(r.data.test);
  fs::create_directories(r.workdir + "/prepare");
  const auto start = std::chrono::steady_clock::now();
  if (r.tokenizer.joint) {
    save_tokenizer(learn_tokenizer(r, {&train.src, &train.tgt}), src_tokenizer_path(r));
  } else {
    save_tokenizer(learn_tokenizer(r, {&train.src}), src_tokenizer_path(r));
    save_tokenizer(learn_tokenizer(r, {&train.tgt}), tgt_tokenizer_path(r));
  }
  const Tokenizers t = load_tokenizers(r);
  log << "prepare: " << train.src.size() << " training pairs; tokenizer"
      << (r.tokenizer.joint ? " (joint)" : "s") << ": " << t.src.model().merges.size()
      << " merges, vocabulary " << t.src.model().vocabulary.size() << " / "
      << t.tgt.model().vocabulary.size() << " ("
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s)"
      << std::endl;
}

}  // namespace rnmt
