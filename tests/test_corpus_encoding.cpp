// encode_corpus: training pairs as token ids, with the pairs it drops counted, and sources that end
// with </s> for models that read them so (model.encoder.source_eos: Marian's).
#include <catch2/catch.hpp>

#include "model/batch.hpp"
#include "pipeline/corpus.hpp"

using namespace rnmt;

namespace {

PieceTokenizer whitespace_tokenizer(const std::vector<std::string>& words) {
  TokenizerModel t;
  t.options.segmentation = Segmentation::whitespace;
  t.options.normalization = Normalization::none;
  for (const char* special : Vocabulary::kSpecials) t.vocabulary.add(special);
  for (const std::string& w : words) t.vocabulary.add(w);
  return PieceTokenizer(t);
}

}  // namespace

TEST_CASE("encoded sources end with </s> when the model reads them so", "[corpus]") {
  PieceTokenizer src = whitespace_tokenizer({"a", "b"}), tgt = whitespace_tokenizer({"x", "y"});
  const Corpus corpus{{"a b", "", "b"}, {"x", "y", "y x"}};
  for (const bool source_eos : {false, true}) {
    INFO("source_eos " << source_eos);
    DroppedPairs dropped;
    const ParallelData d = encode_corpus(corpus, src, tgt, 10, source_eos, dropped);
    CHECK(dropped.empty_side == 1);  // an empty source is dropped before </s> would be added
    REQUIRE(d.src.size() == 2);
    const Sentence first = source_eos ? Sentence{4, 5, kEos} : Sentence{4, 5};
    const Sentence second = source_eos ? Sentence{5, kEos} : Sentence{5};
    CHECK(d.src[0] == first);
    CHECK(d.src[1] == second);
    CHECK(d.tgt[1] == Sentence{5, 4});  // targets as always: </s> is the batch's business
  }
}
