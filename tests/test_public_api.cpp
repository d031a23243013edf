// The public pieces beside the Translator (rnmt/tokenizer.hpp, rnmt/bleu.hpp): what the Python
// module and the command line's tokenizer and BLEU commands are built on.
#include <catch2/catch.hpp>

#include <fstream>

#include "model_fixture.hpp"
#include "rnmt/bleu.hpp"
#include "rnmt/tokenizer.hpp"

using namespace rnmt;

TEST_CASE("rnmt::Tokenizer learns BPE, saves, loads and round-trips text", "[public][tokenizer]") {
  const std::string corpus = test::temp("corpus.txt");
  {
    std::ofstream out(corpus);
    for (int i = 0; i < 50; ++i) out << "the lower the newer, the lowest " << i << "\n";
  }
  BpeLearningStats stats;
  const Tokenizer learned = Tokenizer::learn_bpe({corpus}, {}, {.merges = 10}, &stats);
  CHECK(stats.lines == 50);
  CHECK(stats.tokens == 50 * 8);  // seven words and the comma
  CHECK(stats.distinct_tokens == 6 + 50);
  CHECK(learned.merges() == 10);
  const std::string path = test::temp("learned.tokenizer");
  learned.save(path);
  Tokenizer loaded(path);
  CHECK(loaded.vocabulary() == learned.vocabulary());
  const std::string line = "the newest lower, 42";
  const std::vector<std::string> pieces = loaded.tokenize(line);
  CHECK(pieces.size() < line.size());  // merges joined characters
  CHECK(Tokenizer::detokenize(pieces) == line);

  // BPE-dropout: the same seed gives the same pieces; the text survives any of them
  Tokenizer a(path), b(path);
  a.set_dropout(0.5f, 7);
  b.set_dropout(0.5f, 7);
  for (int i = 0; i < 5; ++i) {
    const auto pa = a.tokenize(line);
    CHECK(pa == b.tokenize(line));
    CHECK(Tokenizer::detokenize(pa) == line);
  }
  CHECK_THROWS_AS(a.set_dropout(1.5f, 1), Error);
  CHECK_THROWS_WITH(Tokenizer(TextOptions{.normalization = "nfd"}),
                    Catch::Contains("normalization"));
  CHECK_THROWS_AS(Tokenizer(test::temp("missing.tokenizer")), Error);
}

TEST_CASE("rnmt::Tokenizer::from_model reads either side of a model file", "[public][tokenizer]") {
  test::ModelFile f;
  const std::string path = test::temp("tokenizers.rnmt");
  write_archive(f.archive(), path);
  const Tokenizer src = Tokenizer::from_model(path, ModelSide::source);
  const Tokenizer tgt = Tokenizer::from_model(path, ModelSide::target);
  CHECK(src.vocabulary() ==
        std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "a", "b", "c"});
  CHECK(tgt.vocabulary().size() == 8);
  // rnmt's own segmentation: decode is detokenize
  const std::string space = "\xE2\x96\x81";  // the marker of a space before a piece
  const std::vector<std::string> pieces = {"a", space + "b", ","};
  CHECK(src.decode(pieces) == Tokenizer::detokenize(pieces));
  CHECK(src.decode(pieces) == "a b,");
}

TEST_CASE("rnmt::corpus_bleu from the public header", "[public][bleu]") {
  const BleuScore perfect = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
  CHECK(perfect.score == Approx(100));
  const BleuScore worse = corpus_bleu({"the cat sat on a mat"}, {{"the cat sat on the mat"}});
  CHECK(worse.score < perfect.score);
  CHECK(worse.signature().find("tok:13a") != std::string::npos);
}
